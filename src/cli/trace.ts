import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readTrace, replayTrace } from '../inspect/replay.js';
import type { TraceLine } from '../inspect/trace.js';
import { connectWebSocketInspector } from '../inspect/websocket.js';
import { UsageError } from './args.js';
import { inspectorUrl } from './inspection.js';

export const TRACE_HELP = `usage: peerchart trace replay FILE [--inspect ws://HOST:PORT] [--json]

Reads a trace recorded with --trace (demo, listen, connect).

  --inspect URL    replay it into a Stately WebSocket inspector relay instead of printing it
                   (needs the @statelyai/inspect package; see docs/inspect.md)
  --json           print a summary object instead of the timeline
  -h, --help`;

/** `peerchart trace replay FILE`: a timeline on stdout, or the events sent to an inspector. */
export async function trace(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseTraceArgs>;
  try {
    parsed = parseTraceArgs(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(TRACE_HELP);
    return 0;
  }
  const [subcommand, file, ...extra] = positionals;
  if (subcommand !== 'replay') throw new UsageError(`unknown trace command '${subcommand ?? ''}'`);
  if (!file) throw new UsageError('trace replay needs a FILE');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const url = inspectorUrl(values.inspect);

  const lines = readTrace(await readFile(file, 'utf8'));
  if (url !== undefined) {
    const live = await connectWebSocketInspector(url);
    const delivered = replayTrace(lines, live.inspect);
    await live.close();
    if (values.json) console.log(JSON.stringify({ event: 'trace.replayed', file, url, lines: delivered }));
    else console.log(`replayed ${delivered} events from ${file} to ${url}`);
    return 0;
  }
  if (values.json) console.log(JSON.stringify({ event: 'trace.summary', file, ...summarise(lines) }));
  else {
    // `peerchart trace replay big.jsonl | head` closes stdout early: that is not an error.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
    for (const row of timeline(lines)) process.stdout.write(`${row}\n`);
  }
  return 0;
}

function parseTraceArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      inspect: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
}

function summarise(lines: TraceLine[]) {
  const kinds: Record<string, number> = {};
  const machines: Record<string, number> = {};
  const roots = new Set<string>();
  for (const line of lines) {
    kinds[line.kind] = (kinds[line.kind] ?? 0) + 1;
    roots.add(line.root);
    if (line.kind === 'actor') {
      const name = line.machine ?? line.id ?? line.actor;
      machines[name] = (machines[name] ?? 0) + 1;
    }
  }
  const durationMs = lines.length > 0 ? lines[lines.length - 1]!.t - lines[0]!.t : 0;
  return { lines: lines.length, systems: roots.size, actors: machines, kinds, durationMs };
}

/** One human-readable row per trace line: time, actor, what happened. */
function timeline(lines: TraceLine[]): string[] {
  const names = new Map<string, string>();
  const who = (session: string) => `${session} ${names.get(session) ?? ''}`.trimEnd();
  return lines.map((line) => {
    const name = line.id ?? line.machine;
    if (name) names.set(line.actor, name);
    const head = `${line.t.toFixed(3).padStart(10)}  ${who(line.actor).padEnd(18)}`;
    switch (line.kind) {
      case 'actor':
        return `${head} created${line.parent ? ` by ${who(line.parent)}` : ''}`;
      case 'event':
        return `${head} <- ${line.type}${line.source ? ` from ${who(line.source)}` : ''}`;
      case 'snapshot': {
        if (line.state === undefined) return `${head} =  (${line.status})`;
        return `${head} =  ${JSON.stringify(line.state)}${line.status === 'active' ? '' : ` (${line.status})`}`;
      }
      case 'microstep':
        return `${head} ~  ${JSON.stringify(line.state)} on ${line.type}`;
      default:
        return `${head} !  ${line.action}`;
    }
  });
}
