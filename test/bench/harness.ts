/** A tiny benchmark harness: time-boxed loops, warm-up, the median of several runs. */

export interface BenchRow {
  name: string;
  unit: string;
  value: number;
  /** The baseline measured in the same run (undefined when there is none). */
  baseline?: number;
  baselineName?: string;
  /** value / baseline for throughputs (higher is better), baseline / value for costs. */
  ratio?: number;
  note?: string;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchRow[]> | BenchRow[];
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * A full collection before each timed run (npm run bench passes --expose-gc), so garbage left by
 * one contender is not collected on another's clock.
 */
export function collectGarbage(): void {
  gc?.();
}

/** Operations per second of `fn`, the median of `runs` time-boxed runs after a warm-up. */
export function opsPerSecond(fn: () => void, options: { runs?: number; runMs?: number } = {}): number {
  const runs = options.runs ?? 5;
  const runMs = options.runMs ?? 250;
  const warmUntil = performance.now() + runMs / 2;
  while (performance.now() < warmUntil) fn();
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    collectGarbage();
    let count = 0;
    const start = performance.now();
    let now = start;
    while (now - start < runMs) {
      fn();
      count++;
      if ((count & 7) === 0 || now - start > runMs / 4) now = performance.now();
    }
    rates.push(count / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

export function throughputRow(
  name: string,
  ours: number,
  baselines: Record<string, number | undefined>,
  unit = 'msg/s',
): BenchRow {
  const known = Object.entries(baselines).filter(
    (entry): entry is [string, number] => entry[1] !== undefined,
  );
  if (known.length === 0) return { name, unit, value: ours, note: 'no baseline installed' };
  const [baselineName, baseline] = known.sort((a, b) => b[1] - a[1])[0]!;
  return { name, unit, value: ours, baseline, baselineName, ratio: ours / baseline };
}

export function formatRows(rows: BenchRow[]): string {
  const lines = [
    `${'benchmark'.padEnd(44)} ${'value'.padStart(14)} ${'unit'.padEnd(8)} ${'baseline'.padStart(14)} ${'ratio'.padStart(7)}  baseline is`,
  ];
  for (const row of rows) {
    const value = row.value >= 100 ? Math.round(row.value).toLocaleString('en-US') : row.value.toFixed(2);
    const baseline =
      row.baseline === undefined
        ? '—'
        : row.baseline >= 100
          ? Math.round(row.baseline).toLocaleString('en-US')
          : row.baseline.toFixed(2);
    const ratio = row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`;
    lines.push(
      `${row.name.padEnd(44)} ${value.padStart(14)} ${row.unit.padEnd(8)} ${baseline.padStart(14)} ${ratio.padStart(7)}  ${row.baselineName ?? row.note ?? ''}`,
    );
  }
  return lines.join('\n');
}
