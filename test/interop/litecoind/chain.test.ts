/**
 * Chain data from a real Bitcoin Core 0.21 P2P stack (litecoind, regtest): block announcements,
 * getheaders, getdata for blocks and transactions, getaddr. Every hash is computed here from the
 * decoded bytes and compared with what the node's RPC reports. One node serves every test; it
 * whitelists loopback (noban) so wallet transactions are announced at once instead of trickled.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { blockHash, txid, wtxid } from '../../../src/wire/bitcoin/chain.js';
import { type BlockHeader, InvType } from '../../../src/wire/bitcoin/types.js';
import { bytesToHex, hashToHex, hexToHash } from '../../../src/wire/hex.js';
import { skipUnless } from '../support/partners.js';
import { dial, Listener, type Session } from '../support/sessions.js';
import { waitFor } from '../support/wait.js';
import { INSTALL_HINT, LitecoinNode, litecoindAvailable } from './node.js';

const available = litecoindAvailable();
const ZERO_HASH = new Uint8Array(32);

/** Addresses put into its address manager before anyone asks (its getaddr answer is cached). */
const KNOWN_ADDRESSES = Array.from({ length: 24 }, (_, i) => `11.0.${i}.1`);
const KNOWN_PORT = 9333;

interface RpcBlock {
  hash: string;
  height: number;
  size: number;
  strippedsize: number;
  previousblockhash?: string;
  tx: { txid: string; hash: string }[];
}

interface RpcTransaction {
  txid: string;
  hash: string;
  size: number;
  vout: { value: number; n: number }[];
}

describe('litecoind 0.21 (Bitcoin Core P2P): chain data', {
  skip: skipUnless(available, 'litecoind'),
  timeout: 60_000,
}, () => {
  const node = new LitecoinNode();
  let genesis: string;
  const sessions: Session[] = [];
  const listeners: Listener[] = [];

  before(async () => {
    assert.ok(available, `litecoind is required in CI; ${INSTALL_HINT}`);
    await node.start(['-whitelist=noban@127.0.0.1']);
    for (const ip of KNOWN_ADDRESSES) await node.rpc('addpeeraddress', ip, KNOWN_PORT);
    // 101 blocks: the first coinbase matures, so the wallet can pay.
    await node.mine(101);
    genesis = await node.rpc<string>('getblockhash', 0);
  });
  afterEach(async () => {
    await Promise.all([
      ...sessions.splice(0).map((session) => session.close()),
      ...listeners.splice(0).map((listener) => listener.close()),
    ]);
  });
  after(() => node.stop());

  /**
   * Our handshake ends when its verack arrives, but Core counts us as connected only once it has
   * processed ours: a block mined in between is announced to nobody. It sends sendheaders right
   * after processing our verack, so that message marks the moment.
   */
  async function dialNode(overrides: Parameters<typeof dial>[1] = {}): Promise<Session> {
    const session = await dial(`127.0.0.1:${node.p2pPort}`, overrides);
    sessions.push(session);
    await session.traffic.next('sendheaders');
    return session;
  }

  async function hashAt(height: number): Promise<string> {
    return node.rpc<string>('getblockhash', height);
  }

  async function assertChainOfHashes(headers: BlockHeader[], firstHeight: number): Promise<void> {
    for (const [index, header] of headers.entries()) {
      const expected = await hashAt(firstHeight + index);
      assert.equal(hashToHex(blockHash(header)), expected, `header at height ${firstHeight + index}`);
      if (index > 0) assert.equal(hashToHex(header.prevBlock), hashToHex(blockHash(headers[index - 1]!)));
    }
  }

  it('we dial it: getheaders from genesis returns every header, each hashing to getblockhash', async () => {
    const { peer, traffic } = await dialNode();
    const height = await node.rpc<number>('getblockcount');
    await peer.pushGetHeadersMsg([hexToHash(genesis)], ZERO_HASH);
    const { headers } = await traffic.next('headers');
    assert.equal(headers.length, height);
    assert.equal(hashToHex(headers[0]!.prevBlock), genesis);
    await assertChainOfHashes(headers, 1);

    // A locator in the middle and a stop hash: exactly the range between them.
    const from = traffic.received.length;
    await peer.pushGetHeadersMsg([hexToHash(await hashAt(50))], hexToHash(await hashAt(60)));
    const range = await traffic.next('headers', { from });
    assert.equal(range.headers.length, 10);
    await assertChainOfHashes(range.headers, 51);
  });

  it('we dial it: getdata for blocks, witness and legacy: hashes, sizes and txids match getblock', async () => {
    const { peer, traffic } = await dialNode();
    const tip = await hashAt(await node.rpc<number>('getblockcount'));
    const older = await hashAt(7);
    await peer.queueMessage({
      command: 'getdata',
      inventory: [
        { type: InvType.witnessBlock, hash: hexToHash(tip) },
        { type: InvType.block, hash: hexToHash(older) },
      ],
    });
    await waitFor(() => traffic.received.filter((m) => m.command === 'block').length === 2, 'two blocks');
    const [witnessBlock, legacyBlock] = traffic.received.filter((m) => m.command === 'block');
    for (const [block, hash, serialisation] of [
      [witnessBlock!, tip, 'witness'],
      [legacyBlock!, older, 'legacy'],
    ] as const) {
      assert.equal(block.command, 'block');
      assert.equal(hashToHex(blockHash(block.header)), hash, `${serialisation} block hash`);
      const rpc = await node.rpc<RpcBlock>('getblock', hash, 2);
      assert.equal(block.raw?.length, serialisation === 'witness' ? rpc.size : rpc.strippedsize);
      assert.deepEqual(
        block.transactions.map((tx) => hashToHex(txid(tx))),
        rpc.tx.map((tx) => tx.txid),
      );
      if (serialisation === 'witness') {
        // The coinbase carries the witness reserved value: its wtxid differs from its txid.
        assert.deepEqual(
          block.transactions.map((tx) => hashToHex(wtxid(tx))),
          rpc.tx.map((tx) => tx.hash),
        );
      }
    }
  });

  it('we dial it: a mined block is announced by inv, then by headers once we sent sendheaders', async () => {
    const { peer, traffic } = await dialNode();
    let from = traffic.received.length;
    const [first] = await node.mine(1);
    const inv = await traffic.next('inv', {
      from,
      match: (message) => message.inventory.some((item) => item.type === InvType.block),
    });
    assert.deepEqual(
      inv.inventory.map((item) => [item.type, hashToHex(item.hash)]),
      [[InvType.block, first]],
    );

    // Core announces by headers only when it knows we have the parent: ask for headers first.
    from = traffic.received.length;
    await peer.pushGetHeadersMsg([hexToHash(genesis)], ZERO_HASH);
    await traffic.next('headers', { from });
    await peer.queueMessage({ command: 'sendheaders' });
    from = traffic.received.length;
    const [second] = await node.mine(1);
    const announcement = await traffic.next('headers', { from });
    assert.deepEqual(
      announcement.headers.map((header) => hashToHex(blockHash(header))),
      [second],
    );
    assert.equal(hashToHex(announcement.headers[0]!.prevBlock), first);
    assert.ok(
      !traffic.received.slice(from).some((message) => message.command === 'inv'),
      'no inv for it any more',
    );
  });

  it('we dial it: a wallet transaction is announced, fetched with getdata and decoded (txid and wtxid match)', async () => {
    const { peer, traffic } = await dialNode();
    const from = traffic.received.length;
    const id = await node.rpc<string>('sendtoaddress', await node.address(), 1.5);
    // We did not send wtxidrelay, so it announces by txid.
    const inv = await traffic.next('inv', {
      from,
      match: (message) => message.inventory.some((item) => item.type === InvType.tx),
    });
    assert.deepEqual(
      inv.inventory.map((item) => [item.type, hashToHex(item.hash)]),
      [[InvType.tx, id]],
    );
    await peer.queueMessage({
      command: 'getdata',
      inventory: [{ type: InvType.witnessTx, hash: inv.inventory[0]!.hash }],
    });
    const { transaction, raw } = await traffic.next('tx', { from });
    const rpc = await node.rpc<RpcTransaction>('getrawtransaction', id, true);
    const hex = await node.rpc<string>('getrawtransaction', id, false);
    assert.equal(hashToHex(txid(transaction)), id);
    assert.equal(hashToHex(wtxid(transaction)), rpc.hash);
    assert.equal(raw && bytesToHex(raw), hex, 'the exact bytes the node holds');
    assert.deepEqual(
      transaction.outputs.map((output) => output.value),
      rpc.vout.map((output) => BigInt(Math.round(output.value * 1e8))),
    );
    assert.ok(transaction.outputs.some((output) => output.value === 150_000_000n));
  });

  it('it dials us: a mined block is announced, and our getheaders and getdata are answered', async () => {
    const listener = await Listener.open();
    listeners.push(listener);
    await node.rpc('addnode', listener.address, 'onetry');
    const peer = await listener.handshakenPeer();
    const { traffic } = listener;
    await traffic.next('sendheaders');
    let from = traffic.received.length;
    const [hash] = await node.mine(1);
    const inv = await traffic.next('inv', {
      from,
      match: (message) => message.inventory.some((item) => item.type === InvType.block),
    });
    assert.equal(hashToHex(inv.inventory[0]!.hash), hash);

    from = traffic.received.length;
    const height = await node.rpc<number>('getblockcount');
    await peer.pushGetHeadersMsg([hexToHash(await hashAt(height - 5))], ZERO_HASH);
    const { headers } = await traffic.next('headers', { from });
    assert.equal(headers.length, 5);
    await assertChainOfHashes(headers, height - 4);

    await peer.queueMessage({
      command: 'getdata',
      inventory: [{ type: InvType.witnessBlock, hash: hexToHash(hash!) }],
    });
    const block = await traffic.next('block', { from });
    assert.equal(hashToHex(blockHash(block.header)), hash);
  });

  // Last: it moves the node's clock, which pushes every timer of the peers connected meanwhile.
  it('we dial it: getaddr is answered with addrv2 at 70016 (sendaddrv2) and with addr at 70015', async () => {
    const modern = await dialNode();
    const older = await dialNode({ protocolVersion: 70015 });
    assert.ok(modern.peer.wantsAddrV2);
    assert.equal(older.peer.protocolVersion, 70015);
    assert.equal(older.peer.wantsAddrV2, false);
    for (const session of [modern, older]) await session.peer.queueMessage({ command: 'getaddr' });
    // Only inbound getaddr is answered, once, from a cache; the answer goes out with the next
    // address flush, a Poisson timer (mean 30 s). Moving its mock clock forward flushes it now.
    await waitFor(
      async () =>
        (await node.peerInfo()).filter((info) => (info.bytesrecv_per_msg.getaddr ?? 0) > 0).length === 2,
      'both getaddr arrived',
    );
    try {
      await node.rpc('setmocktime', Math.floor(Date.now() / 1000) + 3 * 3600);
      const addrv2 = await modern.traffic.next('addrv2');
      const addr = await older.traffic.next('addr');
      assert.ok(addrv2.addresses.length > 0);
      for (const entry of addrv2.addresses) {
        assert.equal(entry.networkId, 1, 'IPv4');
        assert.ok(
          KNOWN_ADDRESSES.includes([...entry.addr].join('.')),
          `${[...entry.addr].join('.')} is one we added`,
        );
        assert.equal(entry.port, KNOWN_PORT);
        assert.equal(entry.services, 0x9n);
      }
      assert.ok(addr.addresses.length > 0);
      for (const entry of addr.addresses) {
        assert.deepEqual(
          [...entry.ip.slice(0, 12)],
          [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
          'IPv4-mapped',
        );
        assert.ok(KNOWN_ADDRESSES.includes([...entry.ip.slice(12)].join('.')));
        assert.equal(entry.port, KNOWN_PORT);
      }
      assert.ok(!modern.traffic.received.some((message) => message.command === 'addr'));
      assert.ok(!older.traffic.received.some((message) => message.command === 'addrv2'));
    } finally {
      await node.rpc('setmocktime', 0);
    }
  });
});
