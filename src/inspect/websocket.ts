import { createRequire } from 'node:module';
import type { AnyEventObject, InspectionEvent, MachineContext, Observer } from 'xstate';
import { defaultJsonSafeLimits, type JsonSafeLimits, toJsonSafe } from './json-safe.js';

/** The part of the `ws` client this module uses. */
interface WsClient {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  terminate(): void;
  on(event: 'error', listener: (error: Error) => void): void;
  once(event: 'open' | 'close', listener: () => void): void;
  once(event: 'error', listener: (error: Error) => void): void;
}

export interface WebSocketInspection {
  /** The inspection observer: pass it as `inspect` to a Peer, a PeerSupervisor or createActor. */
  inspect: Observer<InspectionEvent>;
  /** Sends what is still pending and closes the connection. */
  close(): Promise<void>;
}

export interface WebSocketInspectionOptions {
  /** Give up connecting after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Caps on event payloads and contexts sent (they are made JSON-safe like trace lines). */
  limits?: Partial<JsonSafeLimits>;
}

const OPEN = 1;

/**
 * Connects a @statelyai/inspect inspector to a WebSocket relay at `url` (for example the one in
 * docs/inspect.md, or `createInspectorServer` from '@statelyai/inspect/server'), and resolves once
 * the connection is open, so no event is lost or held back waiting for it. Rejects when the relay
 * cannot be reached. Needs the @statelyai/inspect package (and the `ws` client it depends on).
 */
export async function connectWebSocketInspector(
  url: string,
  options: WebSocketInspectionOptions = {},
): Promise<WebSocketInspection> {
  let stately: typeof import('@statelyai/inspect');
  let WebSocket: new (url: string) => WsClient;
  try {
    stately = await import('@statelyai/inspect');
    // `ws` is @statelyai/inspect's own dependency: resolve it from there, not from this package.
    const requireFromInspect = createRequire(import.meta.resolve('@statelyai/inspect'));
    WebSocket = (requireFromInspect('ws') as { WebSocket: new (url: string) => WsClient }).WebSocket;
  } catch (error) {
    throw new Error(
      `live inspection needs the @statelyai/inspect package (npm install @statelyai/inspect): ${(error as Error).message}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 5_000;
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no inspector answered at ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the inspector at ${url}: ${error.message}`));
    });
  });
  // A relay that goes away later must not take the peers down with it.
  socket.on('error', () => {});

  const limits = { ...defaultJsonSafeLimits, ...options.limits };
  const inspector = stately.createInspector(
    {
      send(event) {
        if (socket.readyState !== OPEN) return;
        try {
          socket.send(
            JSON.stringify(event, (_key, value) => (typeof value === 'bigint' ? String(value) : value)),
          );
        } catch {
          // An event that cannot be serialised is not worth a crash.
        }
      },
    },
    {
      sanitizeEvent: (event) => toJsonSafe(event, limits) as AnyEventObject,
      sanitizeContext: (context) => toJsonSafe(context, limits) as MachineContext,
    },
  );

  let closing: Promise<void> | undefined;
  return {
    inspect: inspector.inspect,
    close() {
      closing ??= (async () => {
        // The inspector converts each event on a later timer tick: let the pending ones go out first.
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (socket.readyState !== OPEN) return;
        const closed = new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            socket.terminate();
            resolve();
          }, 2_000);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        socket.close();
        await closed;
      })();
      return closing;
    },
  };
}
