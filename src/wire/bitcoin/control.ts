import { MAX_MESSAGE_PAYLOAD } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { emptyCodec } from '../common-codecs.js';
import { WireError } from '../errors.js';
import { BITCOIN_MAX_PAYLOAD_LENGTH, BitcoinProtocol } from '../networks.js';
import { readNetAddress, writeNetAddress } from './address.js';
import type {
  AlertMessage,
  FeeFilterMessage,
  NetAddress,
  PingMessage,
  PongMessage,
  RejectMessage,
  VersionMessage,
} from './types.js';

export const MAX_USER_AGENT_LENGTH = 256;

const ZERO_ADDRESS: NetAddress = { services: 0n, ip: new Uint8Array(16), port: 0 };

export const versionCodec: MessageCodec<VersionMessage> = {
  command: 'version',
  maxPayloadLength: (pver) =>
    33 + 2 * (pver >= BitcoinProtocol.netAddressTime ? 30 : 26) + 9 + MAX_USER_AGENT_LENGTH,
  decode(reader) {
    const message: VersionMessage = {
      command: 'version',
      protocolVersion: reader.i32le('version protocol version'),
      services: reader.u64le('version services'),
      timestamp: reader.i64le('version timestamp'),
      addrYou: readNetAddress(reader, false),
    };
    // The remaining fields arrived with later protocol versions: read each only if bytes remain.
    if (reader.remaining > 0) message.addrMe = readNetAddress(reader, false);
    if (reader.remaining > 0) message.nonce = reader.u64le('version nonce');
    if (reader.remaining > 0) {
      const userAgent = reader.varString(MAX_MESSAGE_PAYLOAD, 'user agent');
      if (new TextEncoder().encode(userAgent).length > MAX_USER_AGENT_LENGTH) {
        throw new WireError(
          'length-exceeds-maximum',
          `user agent longer than ${MAX_USER_AGENT_LENGTH} bytes`,
        );
      }
      message.userAgent = userAgent;
    }
    if (reader.remaining > 0) message.lastBlock = reader.i32le('version last block');
    if (reader.remaining > 0) message.relay = reader.bool('version relay');
    return message;
  },
  encode(message, writer, context) {
    const userAgent = message.userAgent ?? '';
    if (new TextEncoder().encode(userAgent).length > MAX_USER_AGENT_LENGTH) {
      throw new WireError('length-exceeds-maximum', `user agent longer than ${MAX_USER_AGENT_LENGTH} bytes`);
    }
    writer.i32le(message.protocolVersion).u64le(message.services).i64le(message.timestamp);
    writeNetAddress(writer, message.addrYou, false);
    writeNetAddress(writer, message.addrMe ?? ZERO_ADDRESS, false);
    writer
      .u64le(message.nonce ?? 0n)
      .varString(userAgent)
      .i32le(message.lastBlock ?? 0);
    // btcd writes the relay byte only for protocol ≥ 70001 (BIP37).
    if (context.protocolVersion >= BitcoinProtocol.bip37) writer.bool(message.relay ?? true);
  },
};

export const verackCodec = emptyCodec('verack');
export const getAddrCodec = emptyCodec('getaddr');
export const mempoolCodec = emptyCodec('mempool', BitcoinProtocol.bip35);
export const sendHeadersCodec = emptyCodec('sendheaders', BitcoinProtocol.sendHeaders);
export const sendAddrV2Codec = emptyCodec('sendaddrv2', BitcoinProtocol.addrV2);
export const wtxidRelayCodec = emptyCodec('wtxidrelay', BitcoinProtocol.addrV2);
export const filterClearCodec = emptyCodec('filterclear', BitcoinProtocol.bip37);

export const pingCodec: MessageCodec<PingMessage> = {
  command: 'ping',
  // BIP31: the nonce exists only for protocol versions strictly above 60000.
  maxPayloadLength: (pver) => (pver > BitcoinProtocol.bip31 ? 8 : 0),
  decode: (reader, context) => ({
    command: 'ping',
    nonce: context.protocolVersion > BitcoinProtocol.bip31 ? reader.u64le('ping nonce') : 0n,
  }),
  encode(message, writer, context) {
    if (context.protocolVersion > BitcoinProtocol.bip31) writer.u64le(message.nonce);
  },
};

export const pongCodec: MessageCodec<PongMessage> = {
  command: 'pong',
  minProtocolVersion: BitcoinProtocol.bip31 + 1,
  maxPayloadLength: (pver) => (pver > BitcoinProtocol.bip31 ? 8 : 0),
  decode: (reader) => ({ command: 'pong', nonce: reader.u64le('pong nonce') }),
  encode(message, writer) {
    writer.u64le(message.nonce);
  },
};

export const feeFilterCodec: MessageCodec<FeeFilterMessage> = {
  command: 'feefilter',
  minProtocolVersion: BitcoinProtocol.feeFilter,
  maxPayloadLength: () => 8,
  decode: (reader) => ({ command: 'feefilter', feeRate: reader.i64le('fee rate') }),
  encode(message, writer) {
    writer.i64le(message.feeRate);
  },
};

export const rejectCodec: MessageCodec<RejectMessage> = {
  command: 'reject',
  minProtocolVersion: BitcoinProtocol.reject,
  maxPayloadLength: () => BITCOIN_MAX_PAYLOAD_LENGTH,
  decode(reader) {
    const message: RejectMessage = {
      command: 'reject',
      message: reader.varString(MAX_MESSAGE_PAYLOAD, 'rejected command'),
      code: reader.u8('reject code'),
      reason: reader.varString(MAX_MESSAGE_PAYLOAD, 'reject reason'),
    };
    // The hash is only present for rejected blocks and transactions.
    if (message.message === 'block' || message.message === 'tx') message.hash = reader.hash('rejected hash');
    return message;
  },
  encode(message, writer) {
    writer.varString(message.message).u8(message.code).varString(message.reason);
    if (message.message === 'block' || message.message === 'tx')
      writer.hash(message.hash ?? new Uint8Array(32));
  },
};

/** Opaque: btcd dropped alert in 2025, but Core-derived nodes still send the final alert to old peers. */
export const alertCodec: MessageCodec<AlertMessage> = {
  command: 'alert',
  maxPayloadLength: () => BITCOIN_MAX_PAYLOAD_LENGTH,
  decode: (reader) => ({ command: 'alert', payload: reader.bytesCopy(reader.remaining, 'alert payload') }),
  encode(message, writer) {
    writer.bytes(message.payload);
  },
};
