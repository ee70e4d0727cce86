import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonceCache, networks, Peer } from '../../../src/index.js';
import { handshakePaths, tcpLink } from '../../../src/testing/index.js';

const network = networks.bitcoin.regtest;

describe('peerchart/testing: an application listener through every handshake path', () => {
  const paths = handshakePaths();

  it('generates the paths of the handshake model', () => {
    const descriptions = paths.map((path) => path.description);
    assert.ok(descriptions.includes('REMOTE_VERSION → REMOTE_VERACK'));
    assert.ok(descriptions.includes('REMOTE_VERSION → REMOTE_WTXIDRELAY → REMOTE_VERACK'));
    assert.ok(descriptions.includes('HANDSHAKE_TIMEOUT'));
    assert.equal(new Set(descriptions).size, descriptions.length);
  });

  for (const path of paths) {
    it(path.description, async () => {
      const seen: string[] = [];
      await path.run({
        network,
        peer: (socket, clock) =>
          Peer.inbound(
            {
              network,
              clock,
              nonceCache: new NonceCache(),
              listeners: {
                onVersion: () => {
                  seen.push('version');
                  return undefined;
                },
                onVerAck: () => seen.push('verack'),
              },
            },
            socket,
          ),
      });
      // The application saw a verack exactly when the path completes the handshake.
      assert.equal(seen.includes('verack'), path.description.endsWith('REMOTE_VERACK'));
    });
  }

  it('runs over loopback TCP as well', async () => {
    const [path] = paths.filter((candidate) => candidate.description === 'REMOTE_VERSION → REMOTE_VERACK');
    await path!.run({
      network,
      link: tcpLink,
      peer: (socket, clock) => Peer.inbound({ network, clock, nonceCache: new NonceCache() }, socket),
    });
  });

  it('fails when the peer does not behave as the model says', async () => {
    const [path] = paths.filter((candidate) => candidate.description === 'HANDSHAKE_TIMEOUT');
    await assert.rejects(
      path!.run({
        network,
        handshakeTimeoutMs: 30_000,
        // A peer configured with a longer timeout than the model expects.
        peer: (socket, clock) =>
          Peer.inbound({ network, clock, nonceCache: new NonceCache(), handshakeTimeoutMs: 20_000 }, socket),
      }),
      /handshake ended before its timeout/,
    );
  });
});
