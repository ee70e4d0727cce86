import { readNetAddress, writeNetAddress } from '../bitcoin/address.js';
import { MAX_MESSAGE_PAYLOAD } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { emptyCodec } from '../common-codecs.js';
import { WireError } from '../errors.js';
import { DecredProtocol } from './networks.js';
import { asciiText, isStrictAscii, readAsciiString, writeAsciiString } from './strings.js';
import type {
  FeeFilterMessage,
  NetAddress,
  PingMessage,
  PongMessage,
  RejectMessage,
  VersionMessage,
} from './types.js';

/** dcrd MaxUserAgentLen; the agent must also be strict ASCII. */
export const MAX_USER_AGENT_LENGTH = 256;
/** dcrd's wire package default agent, the start of every agent it builds. */
export const DEFAULT_DECRED_USER_AGENT = '/dcrwire:1.0.0/';

const ZERO_ADDRESS: NetAddress = { services: 0n, ip: new Uint8Array(16), port: 0 };

export const versionCodec: MessageCodec<VersionMessage> = {
  command: 'version',
  // Protocol 4 + services 8 + timestamp 8 + two 30-byte addresses + nonce 8 + agent + last block 4 + relay 1.
  maxPayloadLength: () => 33 + 2 * 30 + 9 + MAX_USER_AGENT_LENGTH,
  decode(reader) {
    const message: VersionMessage = {
      command: 'version',
      protocolVersion: reader.i32le('version protocol version'),
      services: reader.u64le('version services'),
      timestamp: reader.i64le('version timestamp'),
      addrYou: readNetAddress(reader, false),
    };
    // The version is read before any version is negotiated: later fields are present only if bytes remain.
    if (reader.remaining > 0) message.addrMe = readNetAddress(reader, false);
    if (reader.remaining > 0) message.nonce = reader.u64le('version nonce');
    if (reader.remaining > 0) {
      // dcrd reads up to 32 MiB, then applies the agent's own length and alphabet rules.
      const length = reader.varint('user agent length');
      if (length > MAX_MESSAGE_PAYLOAD) {
        throw new WireError('length-exceeds-maximum', `user agent length ${length} > ${MAX_MESSAGE_PAYLOAD}`);
      }
      const agent = reader.bytesView(length, 'user agent');
      if (length > MAX_USER_AGENT_LENGTH) {
        throw new WireError(
          'length-exceeds-maximum',
          `user agent of ${length} bytes > ${MAX_USER_AGENT_LENGTH}`,
        );
      }
      if (!isStrictAscii(agent))
        throw new WireError('malformed-strict-string', 'user agent is not strict ASCII');
      message.userAgent = asciiText(agent);
    }
    if (reader.remaining > 0) message.lastBlock = reader.i32le('version last block');
    if (reader.remaining > 0) message.relay = reader.bool('version relay');
    return message;
  },
  encode(message, writer) {
    writer.i32le(message.protocolVersion).u64le(message.services).i64le(message.timestamp);
    writeNetAddress(writer, message.addrYou, false);
    writeNetAddress(writer, message.addrMe ?? ZERO_ADDRESS, false);
    writer.u64le(message.nonce ?? 0n);
    writeAsciiString(writer, message.userAgent ?? '', MAX_USER_AGENT_LENGTH, 'user agent');
    // Unlike btcd, dcrd writes the relay byte at every protocol version.
    writer.i32le(message.lastBlock ?? 0).bool(message.relay ?? true);
  },
};

export { emptyCodec };

export const verackCodec = emptyCodec('verack');
export const getAddrCodec = emptyCodec('getaddr');
export const mempoolCodec = emptyCodec('mempool');
export const sendHeadersCodec = emptyCodec('sendheaders', DecredProtocol.sendHeaders);

/** Decred pings carry a nonce at every protocol version. */
export const pingCodec: MessageCodec<PingMessage> = {
  command: 'ping',
  maxPayloadLength: () => 8,
  decode: (reader) => ({ command: 'ping', nonce: reader.u64le('ping nonce') }),
  encode(message, writer) {
    writer.u64le(message.nonce);
  },
};

export const pongCodec: MessageCodec<PongMessage> = {
  command: 'pong',
  maxPayloadLength: () => 8,
  decode: (reader) => ({ command: 'pong', nonce: reader.u64le('pong nonce') }),
  encode(message, writer) {
    writer.u64le(message.nonce);
  },
};

export const feeFilterCodec: MessageCodec<FeeFilterMessage> = {
  command: 'feefilter',
  minProtocolVersion: DecredProtocol.feeFilter,
  maxPayloadLength: (pver) => (pver < DecredProtocol.feeFilter ? 0 : 8),
  decode: (reader) => ({ command: 'feefilter', feeRate: reader.i64le('minimum fee') }),
  encode(message, writer) {
    writer.i64le(message.feeRate);
  },
};

/**
 * reject exists only below protocol 9 (RemoveRejectVersion). dcrd no longer registers the
 * command at all, so to a current dcrd it is an unknown command whatever the version; the codec is
 * kept, gated, for peers that negotiate an older protocol.
 */
export const rejectCodec: MessageCodec<RejectMessage> = {
  command: 'reject',
  maxProtocolVersion: DecredProtocol.removeReject,
  maxPayloadLength: (pver) => (pver >= DecredProtocol.removeReject ? 0 : MAX_MESSAGE_PAYLOAD),
  decode(reader) {
    const message: RejectMessage = {
      command: 'reject',
      message: readAsciiString(reader, MAX_MESSAGE_PAYLOAD, 'rejected command'),
      code: reader.u8('reject code'),
      reason: readAsciiString(reader, MAX_MESSAGE_PAYLOAD, 'reject reason'),
    };
    if (message.message === 'block' || message.message === 'tx') message.hash = reader.hash('rejected hash');
    return message;
  },
  encode(message, writer) {
    writeAsciiString(writer, message.message, MAX_MESSAGE_PAYLOAD, 'rejected command');
    writer.u8(message.code);
    writeAsciiString(writer, message.reason, MAX_MESSAGE_PAYLOAD, 'reject reason');
    if (message.message === 'block' || message.message === 'tx') {
      writer.hash(message.hash ?? new Uint8Array(32));
    }
  },
};

export const controlCodecs = [
  versionCodec,
  verackCodec,
  getAddrCodec,
  mempoolCodec,
  sendHeadersCodec,
  pingCodec,
  pongCodec,
  feeFilterCodec,
  rejectCodec,
] as MessageCodec[];
