/**
 * The long fuzz run: `npm run fuzz -- --iterations N [--seed S] [--family bitcoin|decred]`.
 * Same generators and check as test/unit/wire/fuzz.test.ts, with numRuns = N. Fails with the
 * (shrunk) counterexample on a non-WireError exception, a decoded message that does not re-encode,
 * chunking that changes the result, one input taking over a second (a hang), or the heap, measured
 * after a full GC every few thousand inputs, growing past a bound (unbounded allocation).
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { anyCase, caseArbitrary, check, type FuzzCase, FuzzFailure, seeds } from './generators.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    family: { type: 'string', default: 'both' },
    'hang-ms': { type: 'string', default: '1000' },
    'heap-bound-mib': { type: 'string', default: '64' },
  },
});
const iterations = Number(values.iterations);
const seed = values.seed === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(values.seed);
const hangMs = Number(values['hang-ms']);
const heapBound = Number(values['heap-bound-mib']) * 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run fuzz does)');

const arbitrary: fc.Arbitrary<FuzzCase> =
  values.family === 'both'
    ? anyCase
    : fc.oneof(
        ...(['random', 'mutated', 'stream'] as const).map((kind) =>
          caseArbitrary[kind](values.family as 'bitcoin' | 'decred'),
        ),
      );

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const SAMPLE_EVERY = 20_000;
const WARM_UP = 2 * SAMPLE_EVERY;

let inputs = 0;
let decoded = 0;
let slowest = 0;
let baseline: number | undefined;
let peakGrowth = 0;
const byKind = new Map<string, number>();
const codes = new Map<string, number>();
const started = performance.now();

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

console.log(
  `fuzz: ${iterations} inputs, seed ${seed}, family ${values.family}; seed frames: bitcoin ${seeds.bitcoin.length}, decred ${seeds.decred.length}`,
);

const result = fc.check(
  fc.property(arbitrary, (c) => {
    const inMainRun = inputs < iterations;
    inputs++;
    const t0 = performance.now();
    const outcome = check(c);
    decoded += outcome.decoded;
    for (const code of outcome.errors) codes.set(code, (codes.get(code) ?? 0) + 1);
    const elapsed = performance.now() - t0;
    if (elapsed > slowest) slowest = elapsed;
    if (elapsed > hangMs)
      throw new FuzzFailure(`one input took ${elapsed.toFixed(0)} ms (> ${hangMs} ms): a hang`);
    byKind.set(`${c.family}/${c.kind}`, (byKind.get(`${c.family}/${c.kind}`) ?? 0) + 1);
    if (inMainRun && inputs % SAMPLE_EVERY === 0) {
      const heap = heapAfterGc();
      if (inputs === WARM_UP) baseline = heap;
      if (baseline !== undefined) {
        peakGrowth = Math.max(peakGrowth, heap - baseline);
        if (heap - baseline > heapBound)
          throw new FuzzFailure(
            `heap grew ${mib(heap - baseline)} since input ${WARM_UP} (bound ${mib(heapBound)})`,
          );
      }
      if (inputs % 100_000 === 0) {
        const seconds = (performance.now() - started) / 1000;
        console.log(
          `  ${inputs} inputs, ${seconds.toFixed(1)} s, ${Math.round(inputs / seconds)} inputs/s, heap ${mib(heap)}`,
        );
      }
    }
  }),
  { numRuns: iterations, seed },
);

const seconds = (performance.now() - started) / 1000;
const mainInputs = Math.min(inputs, iterations);
console.log(
  [
    `inputs: ${mainInputs}${inputs > iterations ? ` (+${inputs - iterations} while shrinking)` : ''}`,
    `time: ${seconds.toFixed(1)} s`,
    `rate: ${Math.round(inputs / seconds)} inputs/s`,
    `messages decoded: ${decoded}`,
    `slowest input: ${slowest.toFixed(1)} ms`,
    `heap growth after warm-up (peak, after GC): ${mib(peakGrowth)}`,
    `WireError codes: ${[...codes]
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${n}`)
      .join(', ')}`,
    `by kind: ${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')}`,
  ].join('\n'),
);
if (result.failed) {
  console.error(fc.defaultReportMessage(result));
  if (result.errorInstance) console.error(result.errorInstance);
  console.error(
    `reproduce: npm run fuzz -- --iterations ${iterations} --seed ${seed} --family ${values.family}`,
  );
  process.exitCode = 1;
} else {
  console.log(`OK: ${mainInputs} inputs, no failure (seed ${seed})`);
}
