/**
 * Sessions with bitcore-p2p 10.10.7: protocol 70001, and strict — any command it does not know
 * (sendaddrv2, wtxidrelay, feefilter, sendcmpct, sendheaders, …) makes it drop the connection.
 * Both directions over loopback TCP: handshake, ping both ways, inventory both ways, disconnects,
 * and proof that nothing gated above 70001 ever leaves our side.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { InvType } from '../../../src/wire/bitcoin/types.js';
import { bytesToHex } from '../../../src/wire/hex.js';
import { loadBitcoreP2P, skipUnless } from '../support/partners.js';
import { dial, Listener, type Session } from '../support/sessions.js';
import { type Traffic, waitFor } from '../support/wait.js';

const partner = loadBitcoreP2P();

/** Every command that exists at 70001. Anything else would end the session with bitcore. */
const KNOWN_AT_70001 = new Set([
  'version',
  'verack',
  'ping',
  'pong',
  'inv',
  'getdata',
  'notfound',
  'addr',
  'getaddr',
  'getblocks',
  'getheaders',
  'headers',
  'block',
  'tx',
  'merkleblock',
  'mempool',
  'filterload',
  'filteradd',
  'filterclear',
  'alert',
]);

/** bitcore's side of one connection: what it parsed, whether it choked, whether it hung up. */
class BitcoreSide {
  readonly received: string[] = [];
  readonly errors: string[] = [];
  disconnected = false;

  constructor(readonly peer: any) {
    // Wrap its parser: an unknown command throws there, and its data handler then disconnects.
    const messages = peer.messages;
    const parse = messages.parseBuffer.bind(messages);
    messages.parseBuffer = (buffer: unknown) => {
      try {
        const message = parse(buffer);
        if (message) this.received.push(message.command);
        return message;
      } catch (error) {
        this.errors.push((error as Error).message);
        throw error;
      }
    };
    peer.on('disconnect', () => {
      this.disconnected = true;
    });
    peer.on('error', () => {});
  }

  /** Resolves with the next `command` message it emits. */
  next(command: string): Promise<any> {
    return once(this.peer, command).then(([message]) => message);
  }

  assertHealthy(): void {
    assert.deepEqual(this.errors, [], 'bitcore parsed everything we sent');
    assert.equal(this.disconnected, false, 'bitcore kept the connection');
    assert.equal(this.peer.status, 'ready');
  }
}

interface Connection {
  session: Pick<Session, 'peer' | 'traffic'>;
  bitcore: BitcoreSide;
}

type Direction = 'we dial it' | 'it dials us';

describe('bitcore-p2p 10.10.7 (protocol 70001, strict): handshake, ping, inventory, no gated messages', {
  skip: skipUnless(partner !== undefined, 'bitcore-p2p'),
  timeout: 60_000,
}, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  function bitcoreNetwork() {
    return partner!.bitcore.Networks.get('regtest');
  }

  /** Our Peer dials a bitcore peer that wraps the accepted socket. */
  async function weDialIt(overrides: Parameters<typeof dial>[1]): Promise<Connection> {
    const accepted: BitcoreSide[] = [];
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      accepted.push(new BitcoreSide(new partner!.p2p.Peer({ socket, network: bitcoreNetwork() })));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as { port: number };
    const session = await dial(`127.0.0.1:${port}`, overrides);
    cleanups.push(() => session.close());
    await waitFor(() => accepted[0]?.peer.status === 'ready', 'bitcore is ready');
    return { session, bitcore: accepted[0]! };
  }

  /** A bitcore peer dials our PeerSupervisor. */
  async function itDialsUs(overrides: Parameters<typeof Listener.open>[0]): Promise<Connection> {
    const listener = await Listener.open(overrides);
    cleanups.push(() => listener.close());
    const theirs = new partner!.p2p.Peer({
      host: '127.0.0.1',
      port: listener.port,
      network: bitcoreNetwork(),
    });
    const bitcore = new BitcoreSide(theirs);
    theirs.connect();
    cleanups.push(async () => {
      if (!bitcore.disconnected) theirs.disconnect();
    });
    const peer = await listener.handshakenPeer();
    await waitFor(() => theirs.status === 'ready', 'bitcore is ready');
    return { session: { peer, traffic: listener.traffic }, bitcore };
  }

  function connect(direction: Direction, overrides: Parameters<typeof dial>[1] = {}): Promise<Connection> {
    return direction === 'we dial it' ? weDialIt(overrides) : itDialsUs(overrides);
  }

  function assertNothingGated(traffic: Traffic, bitcore: BitcoreSide): void {
    const unknownToIt = traffic.written.filter((command) => !KNOWN_AT_70001.has(command));
    assert.deepEqual(unknownToIt, [], 'we wrote only commands that exist at 70001');
    for (const command of ['sendaddrv2', 'wtxidrelay', 'feefilter', 'sendcmpct', 'sendheaders', 'reject'])
      assert.ok(!traffic.written.includes(command), `no ${command}`);
    assert.deepEqual(
      bitcore.received.filter((command) => !KNOWN_AT_70001.has(command)),
      [],
    );
    bitcore.assertHealthy();
  }

  for (const direction of ['we dial it', 'it dials us'] as const) {
    it(`${direction}: handshake at 70001, versions as advertised, no sendaddrv2`, async () => {
      const { session, bitcore } = await connect(direction);
      const { peer, traffic } = session;
      assert.equal(peer.protocolVersion, 70001);
      assert.equal(peer.remoteVersion?.protocolVersion, 70001);
      assert.equal(peer.services, 0x1n);
      assert.equal(peer.userAgent, '/bitcore:10.10.7/');
      assert.equal(peer.remoteVersion?.lastBlock, 0);
      assert.equal(peer.remoteVersion?.relay, true);
      assert.equal(peer.wantsAddrV2, false);
      assert.deepEqual(traffic.written, ['version', 'verack']);
      // Its record of us: our advertised version and agent.
      assert.equal(bitcore.peer.version, 70016);
      assert.equal(bitcore.peer.subversion, '/peerchart:0.1.0/interop:1/');
      assert.deepEqual(bitcore.received, ['version', 'verack']);
      // As the accepting side it acknowledges our version before sending its own.
      assert.deepEqual(
        traffic.read.slice(0, 2),
        direction === 'we dial it' ? ['verack', 'version'] : ['version', 'verack'],
      );
      assertNothingGated(traffic, bitcore);
    });

    it(`${direction}: ping both ways and inventory both ways; nothing gated above 70001 reaches it`, async () => {
      const { session, bitcore } = await connect(direction, { pingIntervalMs: 50, trickleIntervalMs: 50 });
      const { peer, traffic } = session;
      // Ours: the pinger's ping and its automatic pong.
      await waitFor(() => peer.lastPingMicros > 0, 'our round-trip time');
      // Its: bitcore never pings on its own; make it, and time the round trip for it.
      const ping = bitcore.peer.messages.Ping();
      const pong = bitcore.next('pong');
      const sentAt = process.hrtime.bigint();
      bitcore.peer.sendMessage(ping);
      assert.equal((await pong).nonce.toString('hex'), ping.nonce.toString('hex'));
      assert.ok(process.hrtime.bigint() > sentAt);

      // Our inventory, trickled, arrives as an inv it parses.
      const ours = new Uint8Array(randomBytes(32));
      const inv = bitcore.next('inv');
      peer.queueInventory({ type: InvType.tx, hash: ours });
      const { inventory } = await inv;
      assert.equal(inventory.length, 1);
      assert.equal(inventory[0].type, InvType.tx);
      assert.equal(inventory[0].hash.toString('hex'), bytesToHex(ours));

      // Its inventory arrives here; our getdata for it arrives there.
      const theirs = randomBytes(32);
      const from = traffic.received.length;
      bitcore.peer.sendMessage(bitcore.peer.messages.Inventory.forTransaction(theirs));
      const received = await traffic.next('inv', { from });
      assert.equal(bytesToHex(received.inventory[0]!.hash), theirs.toString('hex'));
      const getdata = bitcore.next('getdata');
      await peer.queueMessage({ command: 'getdata', inventory: received.inventory });
      assert.equal((await getdata).inventory[0].hash.toString('hex'), theirs.toString('hex'));

      assert.equal(peer.state, 'active');
      assertNothingGated(traffic, bitcore);
    });

    it(`${direction}: we disconnect (local-request) and bitcore sees the close`, async () => {
      const { session, bitcore } = await connect(direction);
      session.peer.disconnect();
      assert.equal((await session.peer.waitForDisconnect()).reason, 'local-request');
      await waitFor(() => bitcore.disconnected, 'bitcore notices');
    });

    it(`${direction}: bitcore disconnects and we report remote-closed`, async () => {
      const { session, bitcore } = await connect(direction);
      bitcore.peer.disconnect();
      assert.equal((await session.peer.waitForDisconnect()).reason, 'remote-closed');
    });
  }

  it('a message gated above 70001 queued by the application fails here and is never written (the peer ends: write-failed)', async () => {
    const { session, bitcore } = await connect('we dial it');
    const { peer, traffic } = session;
    const outcome = await peer.queueMessage({ command: 'feefilter', feeRate: 1000n });
    assert.equal(outcome, 'failed');
    assert.ok(!traffic.written.includes('feefilter'));
    assert.deepEqual(bitcore.errors, [], 'bitcore never saw it');
    // btcd's rule: a message that cannot be encoded at the negotiated version ends the peer.
    const result = await peer.waitForDisconnect();
    assert.equal(result.reason, 'write-failed');
    assert.match(result.detail, /feefilter requires protocol 70013, negotiated 70001/);
  });
});
