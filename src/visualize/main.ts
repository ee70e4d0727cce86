import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAll } from './generate.js';

/** visualizations/ at the repository root, wherever the command is run from. */
export const OUTPUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'visualizations');

export interface Staleness {
  /** Files whose content differs from what would be generated, or that are missing. */
  stale: string[];
  /** .mmd/.svg/.json files that nothing generates any more (a removed or renamed machine). */
  extra: string[];
}

// Only these count as ours when looking for left-overs; anything else in the directory is kept.
const GENERATED_EXTENSIONS = ['.mmd', '.svg', '.json'];

/** Compares the directory with freshly generated files, without writing anything. */
export async function findStale(
  files: ReadonlyMap<string, string>,
  directory = OUTPUT_DIR,
): Promise<Staleness> {
  const present = await listFiles(directory);
  const stale: string[] = [];
  for (const [name, content] of files) {
    const current = present.includes(name) ? await readFile(join(directory, name), 'utf8') : undefined;
    if (current !== content) stale.push(name);
  }
  const extra = present.filter(
    (name) => !files.has(name) && GENERATED_EXTENSIONS.some((extension) => name.endsWith(extension)),
  );
  return { stale, extra: extra.sort() };
}

async function listFiles(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const files = await generateAll();
  const { stale, extra } = await findStale(files);
  const where = relative(process.cwd(), OUTPUT_DIR) || '.';
  if (check) {
    if (stale.length === 0 && extra.length === 0) {
      console.log(`${where}: ${files.size} files up to date`);
      return 0;
    }
    for (const name of stale) console.error(`stale: ${join(where, name)}`);
    for (const name of extra) console.error(`not generated: ${join(where, name)}`);
    console.error('run `npm run visualize` to regenerate');
    return 1;
  }
  await mkdir(OUTPUT_DIR, { recursive: true });
  for (const name of stale) await writeFile(join(OUTPUT_DIR, name), files.get(name)!);
  // Left-over files of a removed or renamed machine would otherwise be shown as current.
  for (const name of extra) await rm(join(OUTPUT_DIR, name));
  console.log(
    `${where}: ${files.size} files, ${stale.length} written, ${extra.length} removed, ${files.size - stale.length} unchanged`,
  );
  return 0;
}

// Only when run as a script, so tests can import findStale without side effects.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
