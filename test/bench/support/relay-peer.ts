/**
 * The receiving end of relay.bench.ts, in its own process. `mode: 'peer'` accepts peerchart
 * peers (full actor stack); `mode: 'bare'` is the limit: a plain TCP server that splits frames,
 * verifies each checksum and answers pings, with no actors and no decoding.
 */
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { NonceCache, networks, Peer } from '../../../src/index.js';

export type RelayRequest = { kind: 'listen'; mode: 'peer' | 'bare' } | { kind: 'expect'; count: number };
export type RelayReply = { port: number } | { received: number };

const network = networks.bitcoin.regtest;
let received = 0;
let expected = Number.POSITIVE_INFINITY;

function count(): void {
  if (++received === expected) {
    process.send!({ received } satisfies RelayReply);
    received = 0;
    expected = Number.POSITIVE_INFINITY;
  }
}

function checksum(payload: Uint8Array): number {
  return createHash('sha256').update(createHash('sha256').update(payload).digest()).digest().readUInt32LE(0);
}

/** Frames off the stream, each checksum verified; pings answered with pongs. */
function bareConnection(socket: Socket): void {
  // Chunks are joined only once a whole frame is there, so a 1 MiB frame is copied once.
  let chunks: Buffer[] = [];
  let length = 0;
  let need = 24;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
    if (length < need) return;
    const buffered = chunks.length === 1 ? chunk : Buffer.concat(chunks, length);
    let at = 0;
    need = 24;
    while (buffered.length - at >= 24) {
      const size = buffered.readUInt32LE(at + 16);
      if (buffered.length - at < 24 + size) {
        need = 24 + size;
        break;
      }
      const payload = buffered.subarray(at + 24, at + 24 + size);
      if (checksum(payload) !== buffered.readUInt32LE(at + 20)) throw new Error('bad checksum');
      if (buffered.toString('latin1', at + 4, at + 8) === 'ping') {
        const pong = Buffer.from(buffered.subarray(at, at + 24 + size));
        pong.write('pong', 4, 'latin1');
        socket.write(pong);
      } else count();
      at += 24 + size;
    }
    const rest = buffered.subarray(at);
    chunks = rest.length > 0 ? [rest] : [];
    length = rest.length;
  });
}

function peerConnection(socket: Socket): void {
  Peer.inbound(
    {
      network,
      nonceCache: new NonceCache(),
      maxQueuedBytes: 1 << 30,
      listeners: { onMessage: (_peer, message) => message.command !== 'ping' && count() },
    },
    socket,
  );
}

process.on('message', (request: RelayRequest) => {
  if (request.kind === 'expect') {
    expected = request.count;
    return;
  }
  const server = createServer(request.mode === 'bare' ? bareConnection : peerConnection);
  server.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as { port: number }).port } satisfies RelayReply);
  });
});
process.on('disconnect', () => process.exit(0));
