/**
 * `npm run bench [-- name…] [--json]`: runs the benchmark modules in this folder (`*.bench.ts`),
 * each row measured side by side with its baseline in the same run.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, type BenchRow, formatRows } from './harness.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const names = args.filter((arg) => !arg.startsWith('--'));
const folder = fileURLToPath(new URL('.', import.meta.url));
const modules = readdirSync(folder)
  .filter((file) => file.endsWith('.bench.ts'))
  .sort()
  .filter((file) => names.length === 0 || names.some((name) => file.startsWith(name)));

for (const file of modules) {
  const { benchmarks } = (await import(pathToFileURL(`${folder}${file}`).href)) as {
    benchmarks: Benchmark[];
  };
  const rows: BenchRow[] = [];
  for (const benchmark of benchmarks) {
    const produced = await benchmark.run();
    rows.push(...produced);
    if (json) for (const row of produced) console.log(JSON.stringify(row));
  }
  if (!json) console.log(`\n== ${file.replace('.bench.ts', '')}\n${formatRows(rows)}`);
}
