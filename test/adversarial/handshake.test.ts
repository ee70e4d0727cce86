/**
 * Hostile handshakes against a real PeerSupervisor listener (testnet3, SimulatedClock): silence,
 * dribbling, wrong first messages, obsolete or oversized versions, self-connection, duplicates
 * after the handshake, and versions with absurd fields. Spec §2.3–§2.7.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expectDeadline,
  frame,
  HANDSHAKE_TIMEOUT_MS,
  hostileSuite,
  nonceOfVersion,
  parseReject,
  pause,
  pingFrame,
  randomNonce,
  verackFrame,
  versionFrame,
  waitUntil,
  withListener,
} from './hostile.js';

const MALFORMED = 0x01;
const DUPLICATE = 0x12;

describe('adversarial: handshake', () => {
  const { good, expectNothingLeft } = hostileSuite();

  it('1. connects and sends nothing: handshake-timeout exactly at 30 s; nothing is sent to it', async () => {
    await withListener({}, async (listener) => {
      const { attacker, peer } = await listener.attack();
      await good.handshakeWith(listener);
      const result = await expectDeadline(
        listener,
        peer,
        peer.stats.connTime + HANDSHAKE_TIMEOUT_MS,
        'handshaking',
      );
      assert.equal(result.reason, 'handshake-timeout');
      await attacker.waitClosed();
      assert.equal(attacker.bytesReceived, 0, 'an inbound peer speaks only after the remote version');
      await good.handshakeWith(listener);
    });
  });

  it('2. dribbles a version one byte per simulated second: the negotiate timeout still fires at 30 s', async () => {
    await withListener({}, async (listener) => {
      const { attacker, peer } = await listener.attack();
      const version = versionFrame();
      const start = peer.stats.connTime;
      for (let i = 0; i < 29; i++) {
        await attacker.send(version.subarray(i, i + 1));
        await pause(1);
        listener.advance(1000);
        assert.equal(peer.state, 'handshaking', `still handshaking after ${i + 1} bytes`);
      }
      await good.handshakeWith(listener);
      const result = await expectDeadline(listener, peer, start + HANDSHAKE_TIMEOUT_MS, 'handshaking');
      assert.equal(result.reason, 'handshake-timeout');
      await attacker.waitClosed();
      assert.equal(attacker.bytesReceived, 0);
      await good.handshakeWith(listener);
    });
  });

  for (const [label, first] of [
    ['3. first message is not a version (ping)', pingFrame(7n)],
    ['4. verack before version', verackFrame()],
  ] as const) {
    it(`${label}: not-version-message at once, after a MALFORMED reject for "version"`, async () => {
      await withListener({}, async (listener) => {
        const { attacker, peer } = await listener.attack();
        await good.handshakeWith(listener);
        const t0 = listener.clock.now();
        await attacker.send(first);
        const result = await listener.removal(peer);
        assert.equal(result.reason, 'not-version-message');
        assert.equal(listener.clock.now(), t0, 'no protocol time needed');
        await attacker.waitClosed();
        assert.deepEqual(
          attacker.commands(),
          ['reject'],
          `only the reject, never our version (listener wrote ${peer.stats.bytesSent} bytes; attacker got ${attacker.bytesReceived}, error ${attacker.error?.message})`,
        );
        assert.deepEqual(parseReject(attacker.received[0]!.payload), {
          message: 'version',
          code: MALFORMED,
          reason: 'a version message must precede all others',
        });
        await good.handshakeWith(listener);
      });
    });
  }

  it('5. protocol version 208 (< 209): protocol-too-old, and nothing is sent (the reject cannot be encoded)', async () => {
    await withListener({}, async (listener) => {
      const { attacker, peer } = await listener.attack();
      await good.handshakeWith(listener);
      const t0 = listener.clock.now();
      await attacker.send(versionFrame({ protocolVersion: 208 }));
      const result = await listener.removal(peer);
      assert.equal(result.reason, 'protocol-too-old');
      assert.equal(listener.clock.now(), t0, 'at once');
      await attacker.waitClosed();
      assert.equal(attacker.bytesReceived, 0, 'spec R21f: no reject below 70002, no version either');
      await good.handshakeWith(listener);

      // The boundary: 209 is accepted (no sendaddrv2 and no relay byte at that version).
      const modest = await listener.attack();
      await modest.attacker.handshake({ protocolVersion: 209, relay: null });
      await waitUntil(() => modest.peer.state === 'active', 'a 209 peer to become active');
      assert.equal(modest.peer.protocolVersion, 209);
      assert.deepEqual(modest.attacker.commands(), ['version', 'verack']);
    });
  });

  it('6. user agent of 257 bytes: malformed-message at once, nothing sent; 256 bytes is accepted', async () => {
    await withListener({}, async (listener) => {
      const { attacker, peer } = await listener.attack();
      await good.handshakeWith(listener);
      const t0 = listener.clock.now();
      await attacker.send(versionFrame({ userAgent: `/${'x'.repeat(255)}/` }));
      const result = await listener.removal(peer);
      assert.equal(result.reason, 'malformed-message');
      assert.equal(listener.clock.now(), t0, 'at once');
      assert.match(result.detail, /user agent/);
      await attacker.waitClosed();
      assert.equal(attacker.bytesReceived, 0, 'spec R13: a read error during the handshake sends no reject');
      await good.handshakeWith(listener);

      const longest = await listener.attack();
      await longest.attacker.handshake({ userAgent: `/${'y'.repeat(254)}/` });
      await waitUntil(() => longest.peer.state === 'active', 'a 256-byte agent peer to become active');
      assert.equal(longest.peer.userAgent.length, 256);
    });
  });

  it("7. a version carrying one of the listener's own nonces: self-connection, nothing more sent", async () => {
    await withListener({}, async (listener) => {
      // The listener answers a first connection with its version: that nonce is now "ours".
      const first = await listener.attack();
      await first.attacker.send(versionFrame());
      const ours = nonceOfVersion((await first.attacker.waitFor('version')).payload);

      const { attacker, peer } = await listener.attack();
      await good.handshakeWith(listener);
      const t0 = listener.clock.now();
      await attacker.send(versionFrame({ nonce: ours }));
      const result = await listener.removal(peer);
      assert.equal(result.reason, 'self-connection');
      assert.equal(listener.clock.now(), t0, 'at once');
      await attacker.waitClosed();
      assert.equal(attacker.bytesReceived, 0, 'spec R25: no reject');
      assert.notEqual(first.peer.state, 'disconnected', 'the first connection is not affected');
      await good.handshakeWith(listener);
    });
  });

  for (const [label, command, reason] of [
    ['8. a second version after the handshake', 'version', 'duplicate-version'],
    ['9. a second verack after the handshake', 'verack', 'duplicate-verack'],
  ] as const) {
    it(`${label}: ${reason} at once, after a DUPLICATE reject`, async () => {
      await withListener({}, async (listener) => {
        const { attacker, peer } = await listener.attackHandshaken();
        await good.handshakeWith(listener);
        const t0 = listener.clock.now();
        const before = attacker.received.length;
        await attacker.send(command === 'version' ? versionFrame() : verackFrame());
        const result = await listener.removal(peer);
        assert.equal(result.reason, reason);
        assert.equal(listener.clock.now(), t0);
        await attacker.waitClosed();
        const after = attacker.received.slice(before);
        assert.deepEqual(
          after.map((received) => received.command),
          ['reject'],
        );
        assert.deepEqual(parseReject(after[0]!.payload), {
          message: command,
          code: DUPLICATE,
          reason: `duplicate ${command} message`,
        });
        await good.handshakeWith(listener);
      });
    });
  }

  it('28. sendaddrv2 after the handshake: sendaddrv2-after-handshake, no reject (before verack it is fine)', async () => {
    await withListener({}, async (listener) => {
      // During the handshake it is the BIP155 signal.
      const polite = await listener.attack();
      await polite.attacker.send(versionFrame(), frame('sendaddrv2'));
      await polite.attacker.waitFor('verack');
      await polite.attacker.send(verackFrame());
      await waitUntil(() => polite.peer.state === 'active', 'the polite peer to become active');
      assert.equal(polite.peer.wantsAddrV2, true);

      const { attacker, peer } = await listener.attackHandshaken();
      await good.handshakeWith(listener);
      const before = attacker.received.length;
      const t0 = listener.clock.now();
      await attacker.send(frame('sendaddrv2'));
      const result = await listener.removal(peer);
      assert.equal(result.reason, 'sendaddrv2-after-handshake');
      assert.equal(listener.clock.now(), t0, 'at once');
      await attacker.waitClosed();
      assert.deepEqual(attacker.commands().slice(before), [], 'spec R30: no reject, no callback');
      assert.equal(polite.peer.state, 'active', 'the other peer is not affected');
      await good.handshakeWith(listener);
    });
  });

  it('31. versions from the far future or with absurd fields are accepted (btcd negotiates down); a negative version is too old', async () => {
    await withListener({}, async (listener) => {
      const extremes = [
        {
          protocolVersion: 0x7fffffff,
          services: 0xffffffffffffffffn,
          timestamp: 0x7fffffffffffffffn,
          nonce: 0xffffffffffffffffn,
          lastBlock: -0x80000000,
          relay: 0xff,
        },
        {
          protocolVersion: 70017,
          services: 0n,
          timestamp: -0x8000000000000000n,
          nonce: 0n,
          lastBlock: 0x7fffffff,
        },
      ];
      for (const fields of extremes) {
        const { attacker, peer } = await listener.attackHandshaken(fields);
        assert.equal(peer.protocolVersion, 70016, 'negotiated down to ours');
        const stats = peer.statsSnapshot();
        assert.equal(stats.version, fields.protocolVersion, 'the advertised version is kept (spec R75)');
        assert.equal(stats.services, fields.services);
        assert.ok(Number.isFinite(stats.timeOffsetSeconds), `time offset ${stats.timeOffsetSeconds}`);
        await attacker.send(pingFrame(42n));
        await attacker.waitFor('pong');
        assert.equal(peer.state, 'active');
      }
      await good.handshakeWith(listener);

      const { attacker, peer } = await listener.attack();
      await attacker.send(versionFrame({ protocolVersion: -1, nonce: randomNonce() }));
      assert.equal((await listener.removal(peer)).reason, 'protocol-too-old');
      await attacker.waitClosed();
      await good.handshakeWith(listener);
    });
  });

  it('leaves no handles, no peers and no uncaught exception behind', async () => {
    await expectNothingLeft();
  });
});
