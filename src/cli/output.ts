import { bigintReplacer } from '../log/logger.js';
import type { Peer } from '../peer/peer.js';
import type { Message } from '../wire/message.js';

/** Prints either human lines or one JSON object per line (`--json`). */
export class Output {
  constructor(readonly json: boolean) {}

  event(type: string, fields: Record<string, unknown>, human: string): void {
    if (this.json)
      process.stdout.write(
        `${JSON.stringify({ event: type, time: Date.now(), ...fields }, bigintReplacer)}\n`,
      );
    else process.stdout.write(`${human}\n`);
  }

  /** Wires a peer's lifecycle and traffic to the output. */
  watch(peer: Peer, options: { messages: boolean }): void {
    peer.on('state', (state) =>
      this.event('peer.state', { peer: peer.address, state }, `${peer} → ${state}`),
    );
    peer.on('handshake', () =>
      this.event(
        'peer.handshake',
        {
          peer: peer.address,
          userAgent: peer.userAgent,
          protocolVersion: peer.protocolVersion,
          services: peer.services,
        },
        `${peer} handshake done: ${peer.userAgent} protocol ${peer.protocolVersion} services 0x${peer.services.toString(16)}`,
      ),
    );
    if (options.messages) {
      peer.on('message', (message) =>
        this.event(
          'message.in',
          { peer: peer.address, command: message.command, message: summary(message) },
          `${peer} ← ${describe(message)}`,
        ),
      );
    }
    peer.on('disconnected', (result) =>
      this.event(
        'peer.disconnected',
        { peer: peer.address, ...result },
        `${peer} disconnected: ${result.reason} (${result.detail})`,
      ),
    );
  }
}

function summary(message: Message): unknown {
  switch (message.command) {
    case 'block':
      return { header: message.header };
    case 'unknown':
      return { rawCommand: message.rawCommand, bytes: message.payload.length };
    default:
      return message;
  }
}

export function describe(message: Message): string {
  switch (message.command) {
    case 'inv':
    case 'getdata':
    case 'notfound':
      return `${message.command} (${message.inventory.length} entries)`;
    case 'headers':
      return `headers (${message.headers.length})`;
    case 'addr':
    case 'addrv2':
      return `${message.command} (${message.addresses.length} addresses)`;
    case 'ping':
    case 'pong':
      return `${message.command} nonce ${message.nonce}`;
    case 'unknown':
      return `unknown command '${message.rawCommand}' (${message.payload.length} bytes)`;
    default:
      return message.command;
  }
}
