import { Listener, pingFrame, waitUntil } from './hostile.js';

const listener = await Listener.start();
for (const count of [30_000, 30_000]) {
  const { attacker } = await listener.attackHandshaken();
  attacker.socket.removeAllListeners('data');
  let bytes = 0;
  attacker.socket.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  const burst = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) burst.set(pingFrame(BigInt(i + 1)), i * 32);
  const t = Date.now();
  await attacker.send(burst);
  await waitUntil(() => bytes === count * 32, 'pongs', 60_000);
  const el = Date.now() - t;
  console.log(count, 'elapsed', el, 'µs/ping', ((el * 1000) / count).toFixed(1));
}
await listener.shutdown();
