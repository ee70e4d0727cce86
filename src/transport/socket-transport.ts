import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { fromCallback } from 'xstate';
import type { FrameParts, ReceivedMessage, TransportCommand, TransportEvent } from '../../machines/types.js';
import { FrameDecoder, type FrameDecoderError } from '../wire/decoder.js';
import { WireError } from '../wire/errors.js';
import type { Message, WireOptions } from '../wire/message.js';

/** Byte accounting hooks (btcd's OnRead/OnWrite and the peer's counters). */
export interface TransportObserver {
  read(bytes: number, message: Message | undefined, error?: Error): void;
  /** `head` is the frame's first buffer: its header, and usually the whole frame. */
  wrote(bytes: number, head: Uint8Array): void;
}

export interface TransportInput {
  /** An already connected socket, or any Duplex (a proxy stream, an in-memory pair). */
  socket?: Duplex;
  /** Dial this address when no socket is given. */
  dial?: { host: string; port: number };
  wire: WireOptions;
  observer: TransportObserver;
  /** Called with the dialled socket so the runtime can read its addresses. */
  onSocket?(socket: Duplex): void;
  /**
   * Called once with the function that writes the send queue's batches in the caller's own step
   * (the PeerHost's `write`): true when the socket took them all, else `transport.written` follows
   * the drain.
   */
  onWriter?(write: (frames: FrameParts[]) => boolean): void;
}

/** Parts up to this size are coalesced with their neighbours into writes of up to COALESCED_BYTES. */
const SMALL_PART_BYTES = 4096;
const COALESCED_BYTES = 64 * 1024;

/**
 * The only code that touches the socket: turns bytes into one event per decoded message and writes
 * batches of frames (corked, so a batch leaves in as few packets as the kernel allows), reporting
 * completion only once the socket has accepted them (backpressure).
 */
export const socketTransport = fromCallback<TransportCommand, TransportInput>(
  ({ input, sendBack, receive }) => {
    const socket: Duplex = input.socket ?? connect({ host: input.dial!.host, port: input.dial!.port });
    input.onSocket?.(socket);
    // Small protocol messages must not wait for Nagle's algorithm (40 ms delayed ACKs on a handshake).
    (socket as Duplex & { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    const decoder = new FrameDecoder(input.wire);
    const observer = input.observer;
    let lastError: Error | undefined;
    let reading = true;
    let stopped = false;

    const send = (event: TransportEvent) => sendBack(event);

    if (!input.socket) socket.once('connect', () => send({ type: 'transport.connected' }));

    // During the handshake a message can change how the next one decodes (version) or which state
    // handles it, so each goes to the peer before the next is decoded. Once the peer is active
    // (transport.batch), the messages of one chunk go as one event: one actor step for a burst.
    let batching = false;
    let batch: ReceivedMessage[] = [];
    const deliver = (message: Message, size: number) => {
      observer.read(size, message);
      if (batching) batch.push({ message, size });
      else send({ type: 'transport.message', message, size });
    };
    const flushBatch = () => {
      if (batch.length === 0) return;
      const messages = batch;
      batch = [];
      if (messages.length === 1) send({ type: 'transport.message', ...messages[0]! });
      else send({ type: 'transport.messages', messages });
    };

    const onData = (chunk: Uint8Array) => {
      let next: Uint8Array = chunk;
      while (reading) {
        try {
          decoder.consume(next, deliver);
          flushBatch();
          return;
        } catch (error) {
          flushBatch();
          const wireError =
            error instanceof WireError
              ? (error as FrameDecoderError)
              : new WireError('invalid-value', String(error));
          observer.read(0, undefined, wireError);
          send({ type: 'transport.malformed', error: wireError });
          if (!(wireError as FrameDecoderError).recoverable) {
            // The stream has no trustworthy frame boundary any more: stop reading.
            reading = false;
            socket.pause();
            return;
          }
          next = new Uint8Array(0);
        }
      }
    };

    const onError = (error: Error) => {
      lastError = error;
    };
    const onClose = () => {
      send(lastError ? { type: 'transport.closed', error: lastError } : { type: 'transport.closed' });
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);

    /**
     * Writes a batch corked, so it leaves in as few packets as the kernel allows. Runs of small
     * frames are copied into one buffer first: a burst of pongs held by a socket the remote is
     * slow to read costs its bytes, not an object per frame.
     */
    const write = (frames: readonly FrameParts[], queued: boolean): boolean => {
      if (stopped) return false;
      if (socket.destroyed || !socket.writable) {
        send({ type: 'transport.writeFailed', error: new Error('socket is not writable') });
        return false;
      }
      const corkable = socket as Duplex & { cork(): void; uncork(): void };
      corkable.cork();
      let accepted = true;
      let bytes = 0;
      const run: Uint8Array[] = [];
      let runBytes = 0;
      const writeRun = () => {
        if (run.length === 1) accepted = socket.write(run[0]!);
        else if (run.length > 1) {
          const joined = Buffer.allocUnsafe(runBytes);
          let at = 0;
          for (const part of run) {
            joined.set(part, at);
            at += part.length;
          }
          accepted = socket.write(joined);
        }
        run.length = 0;
        runBytes = 0;
      };
      for (const parts of frames) {
        let frameBytes = 0;
        for (const part of parts) {
          frameBytes += part.length;
          if (part.length > SMALL_PART_BYTES) {
            writeRun();
            accepted = socket.write(part);
            continue;
          }
          if (runBytes + part.length > COALESCED_BYTES) writeRun();
          run.push(part);
          runBytes += part.length;
        }
        bytes += frameBytes;
        observer.wrote(frameBytes, parts[0]!);
      }
      writeRun();
      corkable.uncork();
      // Only the send queue waits for a drain; handshake writes go out in order before it is released.
      if (!accepted && queued) socket.once('drain', () => send({ type: 'transport.written', bytes }));
      return accepted;
    };
    input.onWriter?.((frames) => write(frames, true));

    receive((command) => {
      switch (command.type) {
        case 'transport.write':
          write(command.frames, false);
          return;
        case 'transport.setProtocol':
          decoder.setProtocol(command.protocolVersion);
          return;
        case 'transport.batch':
          batching = true;
          return;
        case 'transport.end':
          socket.end();
          return;
        case 'transport.destroy':
          socket.destroy();
          return;
      }
    });

    return () => {
      reading = false;
      stopped = true;
      // Nothing of this transport may stay reachable from the socket (an application can keep a
      // finished Peer, and with it the socket): a partly received frame can be megabytes.
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      socket.on('error', () => {});
      decoder.release();
      socket.destroy();
    };
  },
);
