/**
 * The receiving end of bcoin-relay.ts, in its own process: bcoin 1.0.2's own `Peer` class on
 * regtest, one per accepted loopback connection, completing the full version/verack handshake.
 * It counts the `block` and `inv` packets it parses and answers pings itself, as bcoin does.
 * bcoin's parser checks each checksum but reads a block into a MemBlock (the 80-byte header; the
 * transactions stay raw until its chain wants them), so blocks are not fully decoded here.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { loadBcoin } from '../../interop/support/partners.js';

export type BcoinRelayRequest = { kind: 'listen' } | { kind: 'expect'; count: number };
export type BcoinRelayReply = { port: number } | { received: number };

const bcoin = loadBcoin();
if (!bcoin) throw new Error('bcoin is not installed');
const { types } = bcoin.net.packets;

let received = 0;
let expected = Number.POSITIVE_INFINITY;
let server: Server | undefined;

function settle(): void {
  if (received >= expected) {
    process.send!({ received } satisfies BcoinRelayReply);
    received = 0;
    expected = Number.POSITIVE_INFINITY;
  }
}

function accept(socket: Socket): void {
  const peer = bcoin.net.Peer.fromOptions({ network: 'regtest' });
  // 'error' precedes every destroy (the sender hanging up included); unhandled it would throw.
  peer.on('error', () => {});
  // Emitted after bcoin's own handling (pings answered, handshake state); the payload is parsed.
  peer.on('packet', (packet: { type: number }) => {
    if (packet.type === types.BLOCK || packet.type === types.INV) {
      received++;
      settle();
    }
  });
  peer.accept(socket);
  // open() sends our version and waits for theirs and their verack; tryOpen swallows a failure.
  void peer.tryOpen();
}

process.on('message', (request: BcoinRelayRequest) => {
  if (request.kind === 'expect') {
    expected = request.count;
    // The first packets may arrive over TCP before this request does over IPC.
    settle();
    return;
  }
  const reply = () => process.send!({ port: (server!.address() as { port: number }).port });
  if (server) return reply();
  server = createServer(accept);
  server.listen(0, '127.0.0.1', reply);
});
process.on('disconnect', () => process.exit(0));
