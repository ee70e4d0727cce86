import { Duplex } from 'node:stream';

/** One end of an in-memory connection; looks enough like a net.Socket for a Peer. */
export class MemorySocket extends Duplex {
  other: MemorySocket | undefined;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;

  constructor(local: { address: string; port: number }, remote: { address: string; port: number }) {
    super({ allowHalfOpen: false });
    this.localAddress = local.address;
    this.localPort = local.port;
    this.remoteAddress = remote.address;
    this.remotePort = remote.port;
  }

  /** The other end's write, held while our readable buffer is full (TCP backpressure). */
  private heldWrite: (() => void) | undefined;

  override _read(): void {
    const held = this.heldWrite;
    this.heldWrite = undefined;
    held?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const other = this.other;
    if (!other || other.destroyed) {
      callback(new Error('connection reset'));
      return;
    }
    // Deliver asynchronously, as a socket would; a reader that stops reading stalls the writer.
    setImmediate(() => {
      if (other.destroyed || other.push(chunk)) callback();
      else other.heldWrite = () => callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    const other = this.other;
    setImmediate(() => {
      if (other && !other.destroyed) other.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const other = this.other;
    // Like a TCP reset: the other end sees its connection end too.
    if (other && !other.destroyed) setImmediate(() => other.destroy());
    callback(error);
  }
}

/** Two connected in-memory sockets: [client, server]. */
export function socketPair(
  client = { address: '10.0.0.1', port: 50001 },
  server = { address: '10.0.0.2', port: 8333 },
): [MemorySocket, MemorySocket] {
  const a = new MemorySocket(client, server);
  const b = new MemorySocket(server, client);
  a.other = b;
  b.other = a;
  return [a, b];
}
