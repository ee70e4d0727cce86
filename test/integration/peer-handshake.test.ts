import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { NonceCache } from '../../src/peer/nonce-cache.js';
import { Peer } from '../../src/peer/peer.js';
import { socketPair } from '../../src/testing/socket-pair.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';

const network = bitcoinNetworks.regtest;
// Both ends live in one process: give each its own nonce record, or they would look like one node.
const own = () => ({ nonceCache: new NonceCache() });

describe('two peers handshake', () => {
  it('over an in-memory pair: versions, negotiated version, byte counts, veracks', async () => {
    const [a, b] = socketPair();
    const veracks: string[] = [];
    const outbound = Peer.outbound(
      {
        network,
        ...own(),
        services: 9n,
        protocolVersion: 70015,
        userAgentName: 'peer',
        userAgentVersion: '1.0',
        userAgentComments: ['comment'],
        listeners: { onVerAck: () => veracks.push('out') },
      },
      '10.0.0.2:8333',
      a,
    );
    const inbound = Peer.inbound(
      { network, ...own(), services: 1n, listeners: { onVerAck: () => veracks.push('in') } },
      b,
    );
    await waitFor(() => outbound.state === 'active' && inbound.state === 'active');
    assert.deepEqual(veracks.sort(), ['in', 'out']);
    assert.equal(outbound.protocolVersion, 70015);
    assert.equal(inbound.protocolVersion, 70015);
    assert.equal(inbound.userAgent, '/peerchart:0.1.0/peer:1.0(comment)/');
    assert.equal(inbound.services, 9n);
    assert.equal(outbound.services, 1n);
    const outStats = outbound.statsSnapshot();
    const inStats = inbound.statsSnapshot();
    assert.equal(outStats.version, 70016, 'stats show the advertised version');
    assert.equal(outStats.negotiatedVersion, 70015);
    assert.equal(outStats.bytesSent, inStats.bytesReceived);
    assert.equal(inStats.bytesSent, outStats.bytesReceived);
    outbound.disconnect();
    const [outResult, inResult] = await Promise.all([
      outbound.waitForDisconnect(),
      inbound.waitForDisconnect(),
    ]);
    assert.equal(outResult.reason, 'local-request');
    assert.equal(inResult.reason, 'remote-closed');
  });

  it('over loopback TCP, with a ping answered', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const outbound = Peer.outbound({ network, ...own() }, `127.0.0.1:${port}`);
    const [socket] = await accepted;
    const pongs: bigint[] = [];
    const inbound = Peer.inbound({ network, ...own() }, socket);
    await waitFor(() => outbound.state === 'active' && inbound.state === 'active');
    const outboundPongs = new Promise<void>((resolve) =>
      outbound.on('message', (message) => {
        if (message.command === 'pong') {
          pongs.push(message.nonce);
          resolve();
        }
      }),
    );
    assert.equal(await outbound.queueMessage({ command: 'ping', nonce: 42n }), 'sent');
    await outboundPongs;
    assert.deepEqual(pongs, [42n]);
    inbound.disconnect();
    await Promise.all([outbound.waitForDisconnect(), inbound.waitForDisconnect()]);
    server.close();
    assert.equal(outbound.state, 'disconnected');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
