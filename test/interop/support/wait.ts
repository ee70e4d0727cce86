import { createServer } from 'node:net';
import type { PeerListeners } from '../../../src/peer/listeners.js';
import type { Peer } from '../../../src/peer/peer.js';
import type { Message } from '../../../src/wire/message.js';

/**
 * Polls `condition` until it holds or the real-time deadline passes. Interop partners run on
 * their own clocks, so tests wait for observable conditions, never for a protocol timeout.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every message a peer received and every command it wrote, in order, with waits on them. */
export class Traffic {
  /** Messages handed to the application (after the handshake, plus tolerated early ones). */
  readonly received: Message[] = [];
  /** Every command read off the wire, the handshake's included, in arrival order. */
  readonly read: string[] = [];
  readonly written: string[] = [];

  /** Listeners for a PeerConfig (or a supervisor's peer template): record what goes in and out. */
  readonly listeners: PeerListeners<Peer> = {
    onMessage: (_peer, message) => {
      this.received.push(message);
    },
    onRead: (_peer, _bytes, message) => {
      if (message) this.read.push(message.command);
    },
    onWrite: (_peer, _bytes, command) => {
      this.written.push(command);
    },
  };

  commandsReceived(): string[] {
    return this.received.map((message) => message.command);
  }

  /** Resolves with the first received message matching `command` (and `match`), from index `from`. */
  async next<C extends Message['command']>(
    command: C,
    options: {
      from?: number;
      timeoutMs?: number;
      match?: (message: Extract<Message, { command: C }>) => boolean;
    } = {},
  ): Promise<Extract<Message, { command: C }>> {
    let found: Extract<Message, { command: C }> | undefined;
    await waitFor(
      () => {
        found = this.received
          .slice(options.from ?? 0)
          .find(
            (message): message is Extract<Message, { command: C }> =>
              message.command === command &&
              (options.match?.(message as Extract<Message, { command: C }>) ?? true),
          );
        return found !== undefined;
      },
      `a '${command}' message`,
      options.timeoutMs ?? 10_000,
    );
    return found!;
  }
}
