import type { InspectionEvent, Observer } from 'xstate';
import { createTraceFile } from '../inspect/trace-file.js';
import { connectWebSocketInspector } from '../inspect/websocket.js';
import { UsageError } from './args.js';

/** The inspection options of demo, listen and connect. */
export const INSPECTION_OPTIONS = {
  trace: { type: 'string' },
  inspect: { type: 'string' },
} as const;

export const INSPECTION_HELP = `inspection (off unless asked for; it slows every actor down):
  --trace FILE              record every statechart event of the peers (and supervisors) to FILE,
                            one JSON object per line; read it back with 'peerchart trace replay FILE'
  --inspect ws://HOST:PORT  send the same events, live, to a Stately WebSocket inspector relay
                            (needs the @statelyai/inspect package; see docs/inspect.md)`;

export interface Inspection {
  /** The observer to hand to peers and supervisors, when any inspection was asked for. */
  inspect: Observer<InspectionEvent> | undefined;
  /** Flushes the trace file and closes the inspector connection. */
  close(): Promise<void>;
}

export function inspectorUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!/^wss?:\/\/[^/]+/.test(value)) throw new UsageError(`--inspect needs a ws:// URL, got '${value}'`);
  return value;
}

/** Opens the trace file and connects the inspector that `--trace` / `--inspect` ask for. */
export async function startInspection(values: Record<string, unknown>): Promise<Inspection> {
  const url = inspectorUrl(values.inspect);
  const path = typeof values.trace === 'string' ? values.trace : undefined;
  if (path === '') throw new UsageError('--trace needs a file name');
  const observers: Observer<InspectionEvent>[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    if (path !== undefined) {
      const file = await createTraceFile(path);
      observers.push(file.inspect);
      closers.push(file.close);
    }
    if (url !== undefined) {
      const live = await connectWebSocketInspector(url);
      observers.push(live.inspect);
      closers.push(live.close);
    }
  } catch (error) {
    await Promise.allSettled(closers.map((close) => close()));
    throw error;
  }
  const inspect =
    observers.length <= 1
      ? observers[0]
      : {
          next: (event: InspectionEvent) => {
            for (const observer of observers) observer.next?.(event);
          },
        };
  let closing: Promise<void> | undefined;
  return {
    inspect,
    close() {
      closing ??= Promise.all(closers.map((close) => close())).then(() => {});
      return closing;
    },
  };
}
