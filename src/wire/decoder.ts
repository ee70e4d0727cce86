import type { UnknownMessage } from './bitcoin/types.js';
import { plainBytes } from './bytes.js';
import type { CodecContext, MessageCodec, WireFamily } from './codec.js';
import { WireError } from './errors.js';
import { checkHeader, decodePayload, type FrameHeader, HEADER_SIZE } from './frame.js';
import { codecContext, familyOf, type Message, type WireOptions } from './message.js';
import type { Network } from './networks.js';

/** A decoded frame together with its wire size, for byte accounting. */
export interface DecodedFrame {
  message: Message;
  /** Header + payload bytes. */
  size: number;
}

/**
 * Error thrown by `FrameDecoder.push`. `decoded` holds the frames decoded from the same push before
 * the bad one. When `recoverable` is true the bad frame was consumed whole and the stream is still
 * in sync: call `push(new Uint8Array(0))` to go on with the bytes already received.
 */
export interface FrameDecoderError extends WireError {
  decoded: DecodedFrame[];
  recoverable: boolean;
}

/**
 * Streaming frame decoder. Accepts any chunking (one byte at a time included). Every check the
 * 24-byte header can decide is made before a payload byte is buffered; a payload is copied at most
 * once (only when it spans chunks) and never allocated from a length that failed those checks.
 */
export class FrameDecoder {
  readonly network: Network;
  private readonly family: WireFamily;
  private context: CodecContext;
  private readonly maxPayloadLength: number;

  private readonly headerBuffer = new Uint8Array(HEADER_SIZE);
  private headerFill = 0;
  private header: FrameHeader | undefined;
  private codec: MessageCodec | undefined;
  private payload: Uint8Array | undefined;
  private payloadFill = 0;
  private backlog: Uint8Array | undefined;
  private fatal: FrameDecoderError | undefined;

  constructor(options: WireOptions) {
    this.network = options.network;
    this.family = familyOf(options.network);
    this.context = codecContext(options);
    this.maxPayloadLength = options.maxPayloadLength ?? options.network.maxPayloadLength;
  }

  get protocolVersion(): number {
    return this.context.protocolVersion;
  }

  /** Switch to the negotiated protocol version (and witness encoding) for the frames that follow. */
  /** Drops a partly received frame (the connection is gone); the decoder reads nothing more. */
  release(): void {
    this.payload = undefined;
    this.backlog = undefined;
    this.header = undefined;
    this.released = true;
  }

  private released = false;

  setProtocol(protocolVersion: number, witness = this.context.witness): void {
    this.context = { ...this.context, protocolVersion, witness };
  }

  /** Bytes held for a frame that is not complete yet. */
  get bufferedBytes(): number {
    return this.headerFill + this.payloadFill + (this.backlog?.length ?? 0);
  }

  /** Decodes every complete message in the bytes received so far. */
  push(chunk: Uint8Array): Message[] {
    return this.pushFrames(chunk).map((frame) => frame.message);
  }

  /** Like `push`, with each message's wire size. */
  pushFrames(chunk: Uint8Array): DecodedFrame[] {
    const out: DecodedFrame[] = [];
    this.consume(chunk, (message, size) => {
      out.push({ message, size });
    });
    return out;
  }

  /**
   * Decodes frame by frame, calling `onFrame` for each before decoding the next, so that a caller
   * reacting to a message (say, switching to the negotiated protocol version after `version`) affects
   * how the following frames of the same chunk are decoded. On error the thrown FrameDecoderError's
   * `decoded` lists the frames already delivered from this chunk.
   */
  consume(input: Uint8Array, onFrame: (message: Message, size: number) => void): void {
    if (this.fatal) throw this.fatal;
    if (this.released) return;
    let chunk = plainBytes(input);
    if (this.backlog) {
      const joined = new Uint8Array(this.backlog.length + chunk.length);
      joined.set(this.backlog);
      joined.set(chunk, this.backlog.length);
      chunk = joined;
      this.backlog = undefined;
    }
    const delivered: DecodedFrame[] = [];
    let pos = 0;
    try {
      while (pos < chunk.length) {
        if (this.header === undefined) {
          if (this.headerFill === 0 && chunk.length - pos >= HEADER_SIZE) {
            this.acceptHeader(chunk, pos);
            pos += HEADER_SIZE;
          } else {
            const take = Math.min(HEADER_SIZE - this.headerFill, chunk.length - pos);
            this.headerBuffer.set(chunk.subarray(pos, pos + take), this.headerFill);
            this.headerFill += take;
            pos += take;
            if (this.headerFill < HEADER_SIZE) break;
            this.headerFill = 0;
            this.acceptHeader(this.headerBuffer, 0);
          }
        }
        const header = this.header!;
        let payload: Uint8Array;
        if (this.payload === undefined && chunk.length - pos >= header.length) {
          payload = chunk.subarray(pos, pos + header.length);
          pos += header.length;
        } else {
          this.payload ??= new Uint8Array(header.length);
          const take = Math.min(header.length - this.payloadFill, chunk.length - pos);
          this.payload.set(chunk.subarray(pos, pos + take), this.payloadFill);
          this.payloadFill += take;
          pos += take;
          if (this.payloadFill < header.length) break;
          payload = this.payload;
        }
        const codec = this.codec;
        this.header = undefined;
        this.codec = undefined;
        this.payload = undefined;
        this.payloadFill = 0;
        const message = this.decodeFrame(header, codec, payload);
        const size = HEADER_SIZE + header.length;
        delivered.push({ message, size });
        onFrame(message, size);
      }
    } catch (error) {
      if (!(error instanceof WireError)) throw error; // an exception from onFrame belongs to the caller
      const wireError = error as FrameDecoderError;
      wireError.decoded = delivered;
      // Header-level failures leave the stream without a trustworthy frame boundary.
      wireError.recoverable = this.header === undefined && this.headerFill === 0 && !isHeaderError(wireError);
      if (wireError.recoverable) {
        if (pos < chunk.length) this.backlog = chunk.slice(pos);
      } else {
        this.fatal = wireError;
      }
      throw wireError;
    }
  }

  private acceptHeader(bytes: Uint8Array, offset: number): void {
    const verdict = checkHeader(
      bytes,
      offset,
      this.family,
      this.network,
      this.context.protocolVersion,
      this.maxPayloadLength,
    );
    this.header = verdict.header;
    this.codec = verdict.codec;
  }

  private decodeFrame(header: FrameHeader, codec: MessageCodec | undefined, payload: Uint8Array): Message {
    if (codec === undefined) {
      if (this.family.checksum(payload) !== header.checksum) {
        throw new WireError('bad-checksum', `${header.command}: checksum mismatch`, {
          command: header.command,
        });
      }
      const unknown: UnknownMessage = { command: 'unknown', rawCommand: header.command, payload };
      return unknown;
    }
    return decodePayload<Message>(codec, header, payload, this.family, this.context);
  }
}

function isHeaderError(error: WireError): boolean {
  return (
    error.code === 'wrong-network' ||
    error.code === 'payload-too-large' ||
    error.code === 'invalid-command' ||
    error.code === 'message-too-large'
  );
}
