import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createTraceRecorder, type TraceRecorder, type TraceRecorderOptions } from './trace.js';

export interface TraceFile {
  /** The inspection observer: pass it as `inspect`. */
  inspect: TraceRecorder;
  /** Flushes and closes the file; resolves when every line is on disk. */
  close(): Promise<void>;
}

/**
 * A trace recorder writing JSONL to `path` (created or truncated). Lines are buffered by a write
 * stream; call close() before exiting. Rejects when the file cannot be opened.
 */
export async function createTraceFile(path: string, options: TraceRecorderOptions = {}): Promise<TraceFile> {
  const stream = createWriteStream(path, { flags: 'w' });
  await Promise.race([
    once(stream, 'open'),
    once(stream, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  let failure: unknown;
  stream.on('error', (error) => {
    failure ??= error;
  });
  const inspect = createTraceRecorder((line) => {
    if (failure === undefined) stream.write(`${line}\n`);
  }, options);
  let closing: Promise<void> | undefined;
  return {
    inspect,
    close() {
      if (!closing) {
        stream.end();
        closing = finished(stream).then(() => {
          if (failure !== undefined) throw failure;
        });
      }
      return closing;
    },
  };
}
