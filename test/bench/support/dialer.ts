/**
 * The far end of the peer benchmarks, in its own process so the measured process holds only
 * its own side. Driven over IPC by peers.bench.ts: `bare` opens plain TCP connections that
 * trade one version-sized frame each way; `peers` dials peerchart peers until all handshake;
 * `close` tears everything down.
 */
import { connect, type Socket } from 'node:net';
import { networks, PeerSupervisor } from '../../../src/index.js';

export type DialerRequest =
  | { kind: 'bare'; port: number; count: number; frameSize: number }
  | { kind: 'peers'; port: number; count: number }
  | { kind: 'close' };

let sockets: Socket[] = [];
let supervisor: PeerSupervisor | undefined;

async function bare(port: number, count: number, frameSize: number): Promise<void> {
  const frame = new Uint8Array(frameSize);
  let done = 0;
  await new Promise<void>((resolve) => {
    for (let i = 0; i < count; i++) {
      const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(frame));
      socket.on('error', () => {});
      let received = 0;
      socket.on('data', (chunk) => {
        received += chunk.length;
        if (received === frameSize && ++done === count) resolve();
      });
      sockets.push(socket);
    }
  });
}

async function peers(port: number, count: number): Promise<void> {
  supervisor = new PeerSupervisor({ peer: { network: networks.bitcoin.regtest }, maxOutbound: count });
  let handshakes = 0;
  await new Promise<void>((resolve) => {
    supervisor!.on('peerHandshake', () => {
      if (++handshakes === count) resolve();
    });
    for (let i = 0; i < count; i++) supervisor!.connect(`127.0.0.1:${port}`);
  });
}

async function close(): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets = [];
  await supervisor?.shutdown();
  supervisor = undefined;
}

process.on('message', async (request: DialerRequest) => {
  if (request.kind === 'bare') await bare(request.port, request.count, request.frameSize);
  else if (request.kind === 'peers') await peers(request.port, request.count);
  else await close();
  process.send!({ done: request.kind });
});
process.on('disconnect', () => process.exit(0));
