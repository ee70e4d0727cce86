import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NonceCache } from '../../../src/peer/nonce-cache.js';
import { Peer } from '../../../src/peer/peer.js';
import { PeerSupervisor } from '../../../src/supervisor/supervisor.js';
import { InvType, type Message } from '../../../src/wire/index.js';
import { bitcoinNetworks } from '../../../src/wire/networks.js';
import { INSTALL_HINT, LitecoinNode, litecoindAvailable } from './node.js';

const network = bitcoinNetworks.regtest;
const available = litecoindAvailable();
// CI must run interop: a missing partner there is a failure, not a skip.
const skip = available ? false : process.env.CI === 'true' ? false : `litecoind not found; ${INSTALL_HINT}`;

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface PeerInfo {
  subver: string;
  inbound: boolean;
  version: number;
  addr: string;
}

describe('interop with litecoind (Bitcoin Core 0.21 P2P)', { skip, timeout: 120_000 }, () => {
  const node = new LitecoinNode();

  before(async () => {
    assert.ok(available, `litecoind is required in CI; ${INSTALL_HINT}`);
    await node.start();
  });
  after(() => node.stop());

  it('we dial it: handshake, early messages, ping both ways, block announcements', async () => {
    const received: Message[] = [];
    const peer = Peer.outbound(
      {
        network,
        services: 0x9n,
        nonceCache: new NonceCache(),
        userAgentName: 'interop',
        userAgentVersion: '1',
        listeners: { onMessage: (_peer, message) => received.push(message) },
      },
      `127.0.0.1:${node.p2pPort}`,
    );
    await waitFor(() => peer.state === 'active', 10_000, 'handshake');
    assert.equal(peer.protocolVersion, 70016);
    assert.equal(peer.remoteVersion?.userAgent, '/LitecoinCore:0.21.2.1/');
    assert.equal(peer.services & 0x9n, 0x9n, 'NODE_NETWORK | NODE_WITNESS');
    assert.ok(peer.wantsAddrV2, 'sendaddrv2 was negotiated');
    // wtxidrelay arrives between version and verack and is handed over after the handshake.
    await waitFor(() => received.some((message) => message.command === 'wtxidrelay'), 5000, 'wtxidrelay');
    // Core pings right after the handshake; our automatic pong keeps it happy.
    await waitFor(() => received.some((message) => message.command === 'ping'), 5000, 'their ping');

    const pong = new Promise<Message>((resolve) =>
      peer.on('message', (message) => message.command === 'pong' && resolve(message)),
    );
    assert.equal(await peer.queueMessage({ command: 'ping', nonce: 0xabcdefn }), 'sent');
    const answer = await pong;
    assert.equal(answer.command === 'pong' && answer.nonce, 0xabcdefn);

    const peers = await node.rpc<PeerInfo[]>('getpeerinfo');
    assert.equal(peers.length, 1);
    assert.equal(peers[0]!.subver, '/peerchart:0.1.0/interop:1/');

    // A mined block is announced to us (inv, as we have not asked for headers).
    const address = await node.rpc<string>('getnewaddress').catch(async () => {
      await node.rpc('createwallet', 'w');
      return node.rpc<string>('getnewaddress');
    });
    const [blockHash] = await node.rpc<string[]>('generatetoaddress', 1, address);
    await waitFor(
      () =>
        received.some(
          (message) =>
            message.command === 'inv' &&
            message.inventory.some(
              (item) => item.type === InvType.block || item.type === InvType.witnessBlock,
            ),
        ),
      10_000,
      'block inv',
    );
    assert.ok(blockHash);
    assert.equal(peer.state, 'active', 'nothing we sent made it drop us');

    peer.disconnect();
    const result = await peer.waitForDisconnect();
    assert.equal(result.reason, 'local-request');
    await waitFor(
      async () => (await node.rpc<PeerInfo[]>('getpeerinfo')).length === 0,
      10_000,
      'litecoind drops the peer',
    );
  });

  it('it dials us: inbound handshake, getaddr, and its disconnect reported as remote-closed', async () => {
    const supervisor = new PeerSupervisor({ peer: { network, services: 0x9n } });
    const received: Message[] = [];
    supervisor.on('peerAdded', (peer) => peer.on('message', (message) => received.push(message)));
    const { port } = await supervisor.listen({ host: '127.0.0.1', port: 0 });
    await node.rpc('addnode', `127.0.0.1:${port}`, 'onetry');
    await waitFor(
      () => supervisor.peers().some((peer) => peer.state === 'active'),
      10_000,
      'inbound handshake',
    );
    const [peer] = supervisor.peers();
    assert.ok(peer?.inbound);
    assert.equal(peer.remoteVersion?.userAgent, '/LitecoinCore:0.21.2.1/');
    await waitFor(() => received.some((message) => message.command === 'getaddr'), 5000, 'getaddr');
    const removed = new Promise<string>((resolve) =>
      supervisor.on('peerRemoved', (_peer, result) => resolve(result.reason)),
    );
    await node.rpc('disconnectnode', `127.0.0.1:${port}`);
    assert.equal(await removed, 'remote-closed');
    await supervisor.shutdown();
  });
});
