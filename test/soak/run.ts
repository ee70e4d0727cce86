/**
 * Soak: `npm run soak -- --minutes M [--peers N] [--warmup-s S] [--row-s R]`.
 *
 * One hub PeerSupervisor listens on loopback; a second supervisor keeps about N leaves connected to
 * it, churning them (a random leaf is disconnected and a new one dialled every 100 ms). Every peer
 * pings every 500 ms, and the hub relays a fresh inventory vector through its tricklers every 20 ms.
 * Prints one row per minute — heap (after GC), RSS, active handles, live peers, and the counts of
 * connections, handshakes, disconnections, pings, pongs and inventory items in that minute — then a
 * verdict: heap and handles are flat when the last minute is within bounds of the first minute after
 * warm-up. Exits 1 if they are not, or if anything is left after shutdown.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Peer } from '../../src/peer/peer.js';
import { PeerSupervisor } from '../../src/supervisor/supervisor.js';
import { InvType } from '../../src/wire/bitcoin/types.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    peers: { type: 'string', default: '40' },
    'warmup-s': { type: 'string', default: '15' },
    'row-s': { type: 'string', default: '60' },
  },
});
const minutes = Number(values.minutes);
const poolSize = Number(values.peers);
const warmUpMs = Number(values['warmup-s']) * 1000;
const rowMs = Number(values['row-s']) * 1000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run soak does)');

const network = bitcoinNetworks.regtest;
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Counts {
  connects: number;
  handshakes: number;
  disconnects: number;
  pings: number;
  pongs: number;
  invItems: number;
  relayed: number;
}
const zero = (): Counts => ({
  connects: 0,
  handshakes: 0,
  disconnects: 0,
  pings: 0,
  pongs: 0,
  invItems: 0,
  relayed: 0,
});
let counts = zero();

const listeners = {
  onPing: () => {
    counts.pings++;
  },
  onPong: () => {
    counts.pongs++;
  },
  onInv: (_peer: Peer, message: { inventory: unknown[] }) => {
    counts.invItems += message.inventory.length;
  },
};
const peerTemplate = { network, pingIntervalMs: 500, trickleIntervalMs: 100, listeners };

function handles(): number {
  return process.getActiveResourcesInfo().length;
}

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const baselineHandles = handles();
const hub = new PeerSupervisor({ peer: peerTemplate, maxInbound: poolSize * 3 });
const { port } = await hub.listen();
const leaves = new PeerSupervisor({ peer: peerTemplate, maxOutbound: poolSize * 3 });
leaves.on('peerAdded', () => counts.connects++);
leaves.on('peerHandshake', () => counts.handshakes++);
leaves.on('peerRemoved', () => counts.disconnects++);

let running = true;
const churn = (async () => {
  while (running) {
    const active = leaves.peers().filter((peer) => peer.state === 'active');
    if (active.length > poolSize / 2)
      active[Math.floor(Math.random() * active.length)]!.disconnect('local-request', 'churn');
    for (let n = leaves.peers().length; n < poolSize; n++) leaves.connect(`127.0.0.1:${port}`);
    await sleep(100);
  }
})();
const relay = (async () => {
  while (running) {
    hub.relayInventory({ type: InvType.tx, hash: randomBytes(32) });
    counts.relayed++;
    await sleep(20);
  }
})();

interface Row extends Counts {
  minute: number;
  heap: number;
  rss: number;
  handles: number;
  peers: number;
}
const rows: Row[] = [];
const header = [
  'minute',
  'heap MiB',
  'RSS MiB',
  'handles',
  'peers',
  'connects',
  'handshakes',
  'disconnects',
  'pings',
  'pongs',
  'inv items',
  'relayed',
];
const format = (cells: (string | number)[]) => cells.map((cell) => String(cell).padStart(11)).join(' ');

console.log(
  `soak: ${minutes} min after ${warmUpMs / 1000} s warm-up; ${poolSize} churning leaves, ping 500 ms, trickle 100 ms, relay every 20 ms`,
);
await sleep(warmUpMs);
counts = zero();
console.log(format(header));
const rowCount = Math.max(1, Math.round((minutes * 60_000) / rowMs));
for (let minute = 1; minute <= rowCount; minute++) {
  await sleep(rowMs);
  const row: Row = {
    minute,
    heap: heapAfterGc(),
    rss: process.memoryUsage().rss,
    handles: handles(),
    peers: hub.peers().length + leaves.peers().length,
    ...counts,
  };
  counts = zero();
  rows.push(row);
  console.log(
    format([
      ((row.minute * rowMs) / 60_000).toFixed(rowMs % 60_000 === 0 ? 0 : 2),
      (row.heap / MiB).toFixed(1),
      (row.rss / MiB).toFixed(1),
      row.handles,
      row.peers,
      row.connects,
      row.handshakes,
      row.disconnects,
      row.pings,
      row.pongs,
      row.invItems,
      row.relayed,
    ]),
  );
}

running = false;
await Promise.all([churn, relay]);
await Promise.all([leaves.shutdown(), hub.shutdown()]);
await sleep(100);
const leftPeers = hub.peers().length + leaves.peers().length;
const leftHandles = handles() - baselineHandles;

const first = rows[0]!;
const last = rows[rows.length - 1]!;
const heapGrowth = (last.heap - first.heap) / first.heap;
// The handle count follows the live peer count (two sockets and their timers per connection).
const handlesPerPeerFirst = first.handles / Math.max(1, first.peers);
const handlesPerPeerLast = last.handles / Math.max(1, last.peers);
const heapFlat = heapGrowth < 0.1 || last.heap - first.heap < 2 * MiB;
const handlesFlat =
  last.handles <= first.handles * 1.1 + 5 || handlesPerPeerLast <= handlesPerPeerFirst * 1.1;
const worked = rows.every((row) => row.handshakes > 0 && row.pongs > 0 && row.invItems > 0);
console.log(
  [
    `heap: row 1 ${(first.heap / MiB).toFixed(1)} MiB -> row ${last.minute} ${(last.heap / MiB).toFixed(1)} MiB (${(heapGrowth * 100).toFixed(1)}%): ${heapFlat ? 'flat' : 'GROWING'}`,
    `handles: row 1 ${first.handles} (${first.peers} peers) -> row ${last.minute} ${last.handles} (${last.peers} peers): ${handlesFlat ? 'flat' : 'GROWING'}`,
    `after shutdown: ${leftPeers} peers, ${leftHandles} handles beyond the start`,
    `verdict: ${heapFlat && handlesFlat && worked && leftPeers === 0 && leftHandles <= 0 ? 'FLAT' : 'NOT FLAT'}${worked ? '' : ' (a minute without handshakes, pongs or inventory)'}`,
  ].join('\n'),
);
if (!(heapFlat && handlesFlat && worked && leftPeers === 0 && leftHandles <= 0)) process.exitCode = 1;
