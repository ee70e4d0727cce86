/**
 * Hostile frames: wrong magic, absurd or over-cap lengths, bad checksums, broken or dangerous
 * command fields, non-canonical varints, truncation, trailing bytes, a reset mid-frame.
 * Spec §3.1 (read algorithm) and R28 (post-handshake read errors: MALFORMED reject, disconnect).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../../src/wire/message.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';
import {
  concat,
  expectAnswering,
  expectMalformed,
  frame,
  growth,
  hostileSuite,
  inventoryPayload,
  type Listener,
  MAINNET_MAGIC,
  MiB,
  memory,
  mib,
  pause,
  pingFrame,
  u8,
  u32le,
  varint,
  verackFrame,
  versionFrame,
  versionPayload,
  waitUntil,
  withListener,
} from './hostile.js';

describe('adversarial: framing', () => {
  const { good, expectNothingLeft } = hostileSuite();

  it('10. wrong magic (mainnet on a testnet3 listener): malformed-message, before and after the handshake', async () => {
    await withListener({}, async (listener) => {
      const mainnetVersion = concat(u32le(MAINNET_MAGIC), versionFrame().subarray(4));
      await expectMalformed(listener, good, mainnetVersion, /another network/, false);
      const mainnetPing = concat(u32le(MAINNET_MAGIC), pingFrame(1n).subarray(4));
      await expectMalformed(listener, good, mainnetPing, /another network/, true);
    });
  });

  it('11. header length 0xFFFFFFFF: rejected from the 24-byte header, nothing allocated', async () => {
    await withListener({}, async (listener) => {
      const before = memory();
      const header = frame('block', new Uint8Array(0), { length: 0xffffffff });
      await expectMalformed(listener, good, header, /exceeds the network cap/, true);
      await expectMalformed(
        listener,
        good,
        frame('tx', new Uint8Array(0), { length: 0xffffffff }),
        /network cap/,
        false,
      );
      const grown = growth(before, memory());
      assert.ok(grown.arrayBuffers < 1 * MiB, `arrayBuffers grew ${mib(grown.arrayBuffers)}`);
    });
  });

  it("12. a length over the message's own cap: rejected from the header (ping 9, verack 1, inv 1,800,010)", async () => {
    await withListener({}, async (listener) => {
      const before = memory();
      await expectMalformed(
        listener,
        good,
        frame('ping', new Uint8Array(0), { length: 9 }),
        /ping payload of 9 bytes exceeds its maximum 8/,
        true,
      );
      await expectMalformed(
        listener,
        good,
        frame('verack', new Uint8Array(0), { length: 1 }),
        /exceeds its maximum 0/,
        true,
      );
      await expectMalformed(
        listener,
        good,
        frame('inv', new Uint8Array(0), { length: 1_800_010 }),
        /inv payload of 1800010 bytes exceeds its maximum 1800009/,
        true,
      );
      await expectMalformed(
        listener,
        good,
        frame('version', new Uint8Array(0), { length: 359 }),
        /exceeds its maximum 358/,
        false,
      );
      const grown = growth(before, memory());
      assert.ok(grown.arrayBuffers < 1 * MiB, `arrayBuffers grew ${mib(grown.arrayBuffers)}`);
    });
  });

  it('13. bad checksum: malformed-message with a reject (handshaken) or silently (version); tolerated only on regtest from localhost', async () => {
    await withListener({}, async (listener) => {
      await expectMalformed(
        listener,
        good,
        frame('ping', new Uint8Array(8), { checksum: 0x01020304 }),
        /checksum/,
        true,
      );
      await expectMalformed(
        listener,
        good,
        frame('version', versionPayload(), { checksum: 0 }),
        /checksum/,
        false,
      );
    });
    // The contrast (spec R28a): btcd keeps a regtest peer on 127.0.0.1 after a malformed message.
    await withListener({ peer: { network: bitcoinNetworks.regtest } }, async (listener) => {
      const { attacker } = await listener.attack();
      await attacker.send(concat(u32le(bitcoinNetworks.regtest.magic), versionFrame().subarray(4)));
      await attacker.waitFor('verack');
      await attacker.send(concat(u32le(bitcoinNetworks.regtest.magic), verackFrame().subarray(4)));
      const badPing = frame('ping', new Uint8Array(8), { checksum: 1, magic: bitcoinNetworks.regtest.magic });
      const goodPing = frame('ping', new Uint8Array(8).fill(3), { magic: bitcoinNetworks.regtest.magic });
      await attacker.send(badPing, goodPing);
      await attacker.waitFor('pong');
      assert.equal(attacker.closed, false);
    });
  });

  it('14a. command with invalid UTF-8: malformed-message from the header', async () => {
    await withListener({}, async (listener) => {
      await expectMalformed(listener, good, frame(Uint8Array.of(0xff, 0xfe, 0x80)), /invalid command/, true);
      await expectMalformed(listener, good, frame(Uint8Array.of(0x76, 0xc3)), /invalid command/, false);
    });
  });

  it("14b. command with bytes after a NUL, or non-printable: malformed-message from the header (Bitcoin Core's rule; btcd would ignore them as unknown, see README differences)", async () => {
    await withListener({}, async (listener) => {
      const nulThenByte = Uint8Array.of(0x70, 0x69, 0x6e, 0x67, 0, 0x78); // "ping\0x"
      await expectMalformed(listener, good, frame(nulThenByte, new Uint8Array(8)), /invalid command/, true);
      await expectMalformed(listener, good, frame('pi\x01ng', new Uint8Array(8)), /invalid command/, false);
      await expectMalformed(listener, good, frame('\x7fdel'), /invalid command/, true);
    });
  });

  it('15. commands named __proto__, constructor, toString, valueOf, hasOwnProper(ty): ignored as unknown, no pollution, delivered raw', async () => {
    const names = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProper'];
    const seen: string[] = [];
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    await withListener(
      {
        peer: {
          listeners: {
            onMessage: (_peer, message: Message) => {
              if (message.command === 'unknown') seen.push(message.rawCommand);
            },
          },
        },
      },
      async (listener) => {
        const { attacker, peer } = await listener.attack();
        // Between version and verack (tolerated like wtxidrelay, delivered after the handshake) …
        await attacker.send(versionFrame(), ...names.map((name) => frame(name, Uint8Array.of(1, 2, 3))));
        await attacker.waitFor('verack');
        await attacker.send(verackFrame());
        await waitUntil(() => peer.state === 'active', 'the peer to become active');
        // … and after it, with JSON-ish payloads for good measure.
        for (const name of names)
          await attacker.send(frame(name, new TextEncoder().encode('{"polluted":1}')));
        await good.handshakeWith(listener);
        await expectAnswering(attacker, 15n);
        assert.deepEqual(seen, [...names, ...names]);
        assert.equal(peer.state, 'active');
      },
    );
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeBefore);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);

    // The dcrd-like switch: unknown commands disconnect.
    await withListener({ peer: { ignoreUnknownCommands: false } }, async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      await attacker.send(frame('__proto__'));
      assert.equal((await listener.removal(peer)).reason, 'unknown-command');
      await attacker.waitClosed();
      await good.handshakeWith(listener);
    });
  });

  it('16. non-canonical varints (0xfd, 0xfe, 0xff forms of 1): malformed-message', async () => {
    await withListener({}, async (listener) => {
      for (const width of [3, 5, 9] as const) {
        const payload = concat(varint(1, width), inventoryPayload(1).subarray(1));
        await expectMalformed(listener, good, frame('inv', payload), /non-canonical varint/, true);
      }
    });
  });

  /** A 4 MB block is announced, 1 KiB of it sent, then the connection is closed (FIN). */
  async function truncatedBlockThenClose(listener: Listener): Promise<void> {
    const { attacker, peer } = await listener.attackHandshaken();
    const header = frame('block', new Uint8Array(0), { length: 3_999_999, checksum: 0 });
    await attacker.send(header, new Uint8Array(1024).fill(7));
    await pause(5);
    assert.equal(peer.state, 'active', 'a partial frame is just waited for');
    attacker.socket.end();
    assert.equal((await listener.removal(peer)).reason, 'remote-closed');
    await attacker.waitClosed();
  }

  it('18a. truncated payload then close: remote-closed, no reject; the promised 4 MB is released with the peer', async () => {
    await withListener({}, async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      await good.handshakeWith(listener);
      const from = attacker.received.length;
      await attacker.send(pingFrame(1n).subarray(0, 28));
      await pause(5);
      assert.equal(peer.state, 'active', 'a partial frame is just waited for');
      attacker.socket.end();
      assert.equal((await listener.removal(peer)).reason, 'remote-closed');
      await attacker.waitClosed();
      assert.deepEqual(attacker.commands().slice(from), [], 'spec R28c: no reject on EOF');
      await good.handshakeWith(listener);

      const before = memory();
      for (let i = 0; i < 4; i++) await truncatedBlockThenClose(listener);
      await good.handshakeWith(listener);
      listener.forgetRemoved();
      const grown = growth(before, memory());
      assert.ok(grown.arrayBuffers < 1 * MiB, `arrayBuffers grew ${mib(grown.arrayBuffers)}`);
    });
  });

  it('18b. a removed peer the application still holds (say, for its final stats) does not keep its partial frame', async () => {
    await withListener({}, async (listener) => {
      const before = memory();
      for (let i = 0; i < 4; i++) await truncatedBlockThenClose(listener);
      const grown = growth(before, memory());
      assert.equal(listener.results.size, 4, 'the four removed peers are still referenced');
      assert.ok(
        grown.arrayBuffers < 1 * MiB,
        `arrayBuffers grew ${mib(grown.arrayBuffers)} for 4 dead peers`,
      );
    });
  });

  it('19. trailing bytes after a valid payload: malformed-message (inv after the handshake, version during it)', async () => {
    await withListener({}, async (listener) => {
      await expectMalformed(
        listener,
        good,
        frame('inv', concat(inventoryPayload(1), u8(0))),
        /trailing/,
        true,
      );
      await expectMalformed(listener, good, frame('getaddr', u8(0)), /exceeds its maximum 0/, true);
      await expectMalformed(
        listener,
        good,
        frame('version', versionPayload({ trailing: u8(0) })),
        /trailing/,
        false,
      );
    });
  });

  it('27. reset in the middle of a frame: transport-error, before and after the handshake; the listener carries on', async () => {
    await withListener({}, async (listener) => {
      for (const handshaken of [false, true]) {
        const { attacker, peer } = handshaken ? await listener.attackHandshaken() : await listener.attack();
        await good.handshakeWith(listener);
        const half = frame('inv', inventoryPayload(100)).subarray(0, 1000);
        await attacker.send(handshaken ? half : versionFrame().subarray(0, 50));
        await pause(5);
        attacker.reset();
        const result = await listener.removal(peer);
        assert.equal(result.reason, 'transport-error');
        assert.match(result.detail, /ECONNRESET/);
        await good.handshakeWith(listener);
      }
    });
  });

  it('leaves no handles, no peers and no uncaught exception behind', async () => {
    await expectNothingLeft();
  });
});
