/**
 * `npm run mutate`: shows the model-based suite can fail. Each mutant changes the implementation
 * in one small way (a timeout, a dropped transition, a wrong reason, a relaxed guard) in a
 * scratch copy of the project; the suite must fail on every mutant and pass on the original.
 * Exits 1 when a mutant survives.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Mutant {
  name: string;
  file: string;
  from: string;
  to: string;
}

const mutants: Mutant[] = [
  {
    name: 'handshake timeout 30 s → 31 s',
    file: 'src/protocol/profile.ts',
    from: 'handshakeMs: 30_000,',
    to: 'handshakeMs: 31_000,',
  },
  {
    name: 'idle timeout 5 min → 6 min',
    file: 'src/protocol/profile.ts',
    from: 'idleMs: 5 * 60_000,',
    to: 'idleMs: 6 * 60_000,',
  },
  {
    name: 'ping interval 2 min → 3 min',
    file: 'src/protocol/profile.ts',
    from: 'pingIntervalMs: 2 * 60_000,',
    to: 'pingIntervalMs: 3 * 60_000,',
  },
  {
    name: 'duplicate version after the handshake: transition dropped',
    file: 'machines/peer.machine.ts',
    from: "guard: 'isVersion',\n                    target: '#peer.disconnecting',",
    to: "guard: () => false,\n                    target: '#peer.disconnecting',",
  },
  {
    name: 'duplicate version reported as duplicate verack',
    file: 'machines/peer.machine.ts',
    from: "params: { reason: 'duplicate-version' }",
    to: "params: { reason: 'duplicate-verack' }",
  },
  {
    name: 'minimum protocol version not enforced',
    // The handshake checks it in two guards (with and without a reject): mutate what both read.
    file: 'machines/peer.machine.ts',
    from: 'minProtocolVersion: context.settings.minProtocolVersion,',
    to: 'minProtocolVersion: 0,',
  },
  {
    name: 'no pong to pings',
    file: 'machines/peer.machine.ts',
    from: "pongs.push(internalEntry({ command: 'pong', nonce: message.nonce }));",
    to: "pongs.push(internalEntry({ command: 'ping', nonce: message.nonce }));",
  },
];

const root = fileURLToPath(new URL('../..', import.meta.url));
const suite = 'test/mbt/peer.mbt.test.ts';

/** Runs the suite in `dir`; returns the number of failing (or cancelled: hung) tests. */
function runSuite(dir: string): number {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', suite], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const failed = /^# fail (\d+)/m.exec(run.stdout);
  const cancelled = /^# cancelled (\d+)/m.exec(run.stdout);
  if (!failed || !cancelled) throw new Error(`no test summary from the suite:\n${run.stdout}\n${run.stderr}`);
  return Number(failed[1]) + Number(cancelled[1]);
}

function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peerchart-mutant-'));
  for (const entry of ['src', 'machines', 'test', 'package.json', 'tsconfig.json']) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

const dir = scratchCopy();
let survivors = 0;
try {
  const baseline = runSuite(dir);
  console.log(`original: ${baseline} failing`);
  if (baseline !== 0) throw new Error('the suite fails on the original code');
  for (const mutant of mutants) {
    const path = join(dir, mutant.file);
    const original = readFileSync(path, 'utf8');
    if (original.split(mutant.from).length !== 2)
      throw new Error(`${mutant.name}: the text to mutate is not unique`);
    writeFileSync(path, original.replace(mutant.from, mutant.to));
    const failing = runSuite(dir);
    writeFileSync(path, original);
    if (failing === 0) survivors++;
    console.log(`${failing > 0 ? 'killed  ' : 'SURVIVED'} ${mutant.name}: ${failing} failing`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${mutants.length - survivors} of ${mutants.length} mutants killed`);
process.exitCode = survivors === 0 ? 0 : 1;
