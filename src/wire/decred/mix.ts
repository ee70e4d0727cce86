import { type ByteReader, ByteWriter } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { WireError } from '../errors.js';
import { blake256 } from './hash.js';
import { DecredProtocol } from './networks.js';
import { readHashList, writeHashList } from './state.js';
import { readAsciiString, writeAsciiString } from './strings.js';
import {
  readOutPoint,
  readTransaction,
  readTxOut,
  writeOutPoint,
  writeTransaction,
  writeTxOut,
} from './transaction.js';
import type {
  DecredMixMessage,
  Hash,
  MixCiphertextsMessage,
  MixConfirmMessage,
  MixDCNetMessage,
  MixFactoredPolyMessage,
  MixKeyExchangeMessage,
  MixPairReqMessage,
  MixPairReqUtxo,
  MixSecretsMessage,
  MixSlotReserveMessage,
} from './types.js';

/** dcrd mixing limits (wire/msgmix*.go). */
export const MAX_MIX_PEERS = 512;
export const MAX_MIX_MCOUNT = 1024;
export const MAX_MIX_FIELD_VALUE_LENGTH = 32;
export const MIX_MESSAGE_SIZE = 20;
export const MAX_MIX_PAIR_REQ_SCRIPT_CLASS_LENGTH = 32;
export const MAX_MIX_PAIR_REQ_UTXOS = 512;
export const MAX_MIX_PAIR_REQ_UTXO_SCRIPT_LENGTH = 16_384;
export const MAX_MIX_PAIR_REQ_UTXO_PUBKEY_LENGTH = 33;
export const MAX_MIX_PAIR_REQ_UTXO_SIGNATURE_LENGTH = 64;

const SIGNATURE_SIZE = 64;
const IDENTITY_SIZE = 33;
const SESSION_ID_SIZE = 32;
const ECDH_PUBLIC_KEY_SIZE = 33;
const PQ_PUBLIC_KEY_SIZE = 1218;
const PQ_CIPHERTEXT_SIZE = 1047;

/** dcrd MaxPayloadLength of each mixing message at MixVersion (computed in dcrd's tests). */
const MAX_PAYLOAD = {
  mixpairreq: 8_476_848,
  mixkeyxchg: 17_815,
  mixcphrtxt: 552_584,
  mixslotres: 17_318_030,
  mixfactpoly: 49_291,
  mixdcnet: 20_988_047,
  mixconfirm: 1_016_520,
  mixsecrets: 70_831,
} as const;

function readSeen(reader: ByteReader, what: string): Hash[] {
  return readHashList(reader, MAX_MIX_PEERS, what);
}

function writeSeen(writer: ByteWriter, hashes: readonly Hash[], what: string): void {
  writeHashList(writer, hashes, MAX_MIX_PEERS, what);
}

function readSessionHead(reader: ByteReader) {
  return {
    signature: reader.bytesView(SIGNATURE_SIZE, 'signature'),
    identity: reader.bytesView(IDENTITY_SIZE, 'identity'),
    sessionId: reader.bytesView(SESSION_ID_SIZE, 'session id'),
    run: reader.u32le('run'),
  };
}

function writeSessionHead(
  writer: ByteWriter,
  message: { signature: Uint8Array; identity: Uint8Array; sessionId: Uint8Array; run: number },
): void {
  writer
    .fixed(message.signature, SIGNATURE_SIZE, 'signature')
    .fixed(message.identity, IDENTITY_SIZE, 'identity');
  writer.fixed(message.sessionId, SESSION_ID_SIZE, 'session id').u32le(message.run);
}

/** `count` items of `size` bytes each must still fit: checked before anything is allocated for them. */
function needFixed(reader: ByteReader, count: number, size: number, what: string): void {
  if (count * size > reader.remaining) {
    throw new WireError('truncated', `${what}: ${count} × ${size} bytes do not fit in ${reader.remaining}`);
  }
}

function readPairReq(reader: ByteReader): MixPairReqMessage {
  const signature = reader.bytesView(SIGNATURE_SIZE, 'signature');
  const identity = reader.bytesView(IDENTITY_SIZE, 'identity');
  const expiry = reader.u32le('expiry');
  const mixAmount = reader.i64le('mix amount');
  if (mixAmount < 0n) throw new WireError('invalid-value', 'mixing pair request with a negative mix amount');
  const scriptClass = readAsciiString(reader, MAX_MIX_PAIR_REQ_SCRIPT_CLASS_LENGTH, 'script class');
  const txVersion = reader.u16le('tx version');
  const lockTime = reader.u32le('lock time');
  const messageCount = reader.u32le('message count');
  const inputValue = reader.i64le('input value');
  if (inputValue < 0n)
    throw new WireError('invalid-value', 'mixing pair request with a negative input value');
  const count = reader.count(MAX_MIX_PAIR_REQ_UTXOS, 'UTXO');
  const utxos: MixPairReqUtxo[] = new Array(count);
  for (let i = 0; i < count; i++) {
    utxos[i] = {
      outPoint: readOutPoint(reader),
      script: reader.varBytes(MAX_MIX_PAIR_REQ_UTXO_SCRIPT_LENGTH, 'UTXO script'),
      pubKey: reader.varBytes(MAX_MIX_PAIR_REQ_UTXO_PUBKEY_LENGTH, 'UTXO public key'),
      signature: reader.varBytes(MAX_MIX_PAIR_REQ_UTXO_SIGNATURE_LENGTH, 'UTXO signature'),
      opcode: reader.u8('UTXO opcode'),
    };
  }
  const hasChange = reader.u8('change flag');
  if (hasChange > 1) throw new WireError('invalid-value', `change flag ${hasChange} is neither 0 nor 1`);
  const message: MixPairReqMessage = {
    command: 'mixpairreq',
    signature,
    identity,
    expiry,
    mixAmount,
    scriptClass,
    txVersion,
    lockTime,
    messageCount,
    inputValue,
    utxos,
    flags: 0,
    pairingFlags: 0,
  };
  if (hasChange === 1) message.change = readTxOut(reader);
  message.flags = reader.u8('flags');
  message.pairingFlags = reader.u8('pairing flags');
  return message;
}

function writePairReq(writer: ByteWriter, message: MixPairReqMessage): void {
  if (message.mixAmount < 0n || message.inputValue < 0n) {
    throw new WireError('invalid-value', 'mixing pair request with a negative amount');
  }
  if (message.utxos.length > MAX_MIX_PAIR_REQ_UTXOS) {
    throw new WireError('too-many-entries', `${message.utxos.length} UTXOs > ${MAX_MIX_PAIR_REQ_UTXOS}`);
  }
  writer
    .fixed(message.signature, SIGNATURE_SIZE, 'signature')
    .fixed(message.identity, IDENTITY_SIZE, 'identity');
  writer.u32le(message.expiry).i64le(message.mixAmount);
  writeAsciiString(writer, message.scriptClass, MAX_MIX_PAIR_REQ_SCRIPT_CLASS_LENGTH, 'script class');
  writer
    .u16le(message.txVersion)
    .u32le(message.lockTime)
    .u32le(message.messageCount)
    .i64le(message.inputValue);
  writer.varint(message.utxos.length);
  for (const utxo of message.utxos) {
    const limits: [Uint8Array, number, string][] = [
      [utxo.script, MAX_MIX_PAIR_REQ_UTXO_SCRIPT_LENGTH, 'UTXO script'],
      [utxo.pubKey, MAX_MIX_PAIR_REQ_UTXO_PUBKEY_LENGTH, 'UTXO public key'],
      [utxo.signature, MAX_MIX_PAIR_REQ_UTXO_SIGNATURE_LENGTH, 'UTXO signature'],
    ];
    writeOutPoint(writer, utxo.outPoint);
    for (const [bytes, max, what] of limits) {
      if (bytes.length > max)
        throw new WireError('length-exceeds-maximum', `${what} of ${bytes.length} bytes > ${max}`);
      writer.varBytes(bytes);
    }
    writer.u8(utxo.opcode);
  }
  if (message.change) {
    writer.u8(1);
    writeTxOut(writer, message.change);
  } else {
    writer.u8(0);
  }
  writer.u8(message.flags).u8(message.pairingFlags);
}

function readKeyExchange(reader: ByteReader): MixKeyExchangeMessage {
  const signature = reader.bytesView(SIGNATURE_SIZE, 'signature');
  const identity = reader.bytesView(IDENTITY_SIZE, 'identity');
  const sessionId = reader.bytesView(SESSION_ID_SIZE, 'session id');
  return {
    command: 'mixkeyxchg',
    signature,
    identity,
    sessionId,
    epoch: reader.u64le('epoch'),
    run: reader.u32le('run'),
    pos: reader.u32le('position'),
    ecdh: reader.bytesView(ECDH_PUBLIC_KEY_SIZE, 'ECDH public key'),
    pqpk: reader.bytesView(PQ_PUBLIC_KEY_SIZE, 'sntrup4591761 public key'),
    commitment: reader.bytesView(32, 'commitment'),
    seenPairRequests: readSeen(reader, 'seen pair request'),
  };
}

function writeKeyExchange(writer: ByteWriter, message: MixKeyExchangeMessage): void {
  writer
    .fixed(message.signature, SIGNATURE_SIZE, 'signature')
    .fixed(message.identity, IDENTITY_SIZE, 'identity');
  writer.fixed(message.sessionId, SESSION_ID_SIZE, 'session id');
  writer.u64le(message.epoch).u32le(message.run).u32le(message.pos);
  writer.fixed(message.ecdh, ECDH_PUBLIC_KEY_SIZE, 'ECDH public key');
  writer.fixed(message.pqpk, PQ_PUBLIC_KEY_SIZE, 'sntrup4591761 public key');
  writer.fixed(message.commitment, 32, 'commitment');
  writeSeen(writer, message.seenPairRequests, 'seen pair request');
}

function readCiphertexts(reader: ByteReader): MixCiphertextsMessage {
  const head = readSessionHead(reader);
  // One count for both lists: a ciphertext for, and the key exchange of, every peer.
  const count = reader.count(MAX_MIX_PEERS, 'ciphertext');
  needFixed(reader, count, PQ_CIPHERTEXT_SIZE + 32, 'ciphertexts');
  const ciphertexts: Uint8Array[] = new Array(count);
  for (let i = 0; i < count; i++) ciphertexts[i] = reader.bytesView(PQ_CIPHERTEXT_SIZE, 'ciphertext');
  const seenKeyExchanges: Hash[] = new Array(count);
  for (let i = 0; i < count; i++) seenKeyExchanges[i] = reader.hash('seen key exchange');
  return { command: 'mixcphrtxt', ...head, ciphertexts, seenKeyExchanges };
}

function writeCiphertexts(writer: ByteWriter, message: MixCiphertextsMessage): void {
  const count = message.ciphertexts.length;
  if (count !== message.seenKeyExchanges.length) {
    throw new WireError(
      'invalid-value',
      `${count} ciphertexts but ${message.seenKeyExchanges.length} key exchanges`,
    );
  }
  if (count > MAX_MIX_PEERS)
    throw new WireError('too-many-entries', `${count} ciphertexts > ${MAX_MIX_PEERS}`);
  writeSessionHead(writer, message);
  writer.varint(count);
  for (const ciphertext of message.ciphertexts) writer.fixed(ciphertext, PQ_CIPHERTEXT_SIZE, 'ciphertext');
  for (const hash of message.seenKeyExchanges) writer.hash(hash);
}

function readBoundedCount(reader: ByteReader, min: number, max: number, what: string): number {
  const count = reader.varint(`${what} count`);
  if (count < min) throw new WireError('too-few-entries', `${what} count ${count} < ${min}`);
  if (count > max) throw new WireError('too-many-entries', `${what} count ${count} > ${max}`);
  return count;
}

function readFieldValues(reader: ByteReader, count: number, what: string): Uint8Array[] {
  const values: Uint8Array[] = new Array(count);
  for (let i = 0; i < count; i++) values[i] = reader.varBytes(MAX_MIX_FIELD_VALUE_LENGTH, what);
  return values;
}

function writeFieldValues(writer: ByteWriter, values: readonly Uint8Array[], what: string): void {
  for (const value of values) {
    if (value.length > MAX_MIX_FIELD_VALUE_LENGTH) {
      throw new WireError(
        'length-exceeds-maximum',
        `${what} of ${value.length} bytes > ${MAX_MIX_FIELD_VALUE_LENGTH}`,
      );
    }
    writer.varBytes(value);
  }
}

function readSlotReserve(reader: ByteReader): MixSlotReserveMessage {
  const head = readSessionHead(reader);
  const mcount = readBoundedCount(reader, 1, MAX_MIX_MCOUNT, 'mixed message');
  const kpcount = readBoundedCount(reader, 1, MAX_MIX_PEERS, 'mixing peer');
  // Each field value takes at least its one-byte length.
  needFixed(reader, mcount * kpcount, 1, 'slot reservation matrix');
  const dcMix: Uint8Array[][] = new Array(mcount);
  for (let i = 0; i < mcount; i++)
    dcMix[i] = readFieldValues(reader, kpcount, 'slot reservation field value');
  return { command: 'mixslotres', ...head, dcMix, seenCiphertexts: readSeen(reader, 'seen ciphertext') };
}

function writeSlotReserve(writer: ByteWriter, message: MixSlotReserveMessage): void {
  const mcount = message.dcMix.length;
  const kpcount = message.dcMix[0]?.length ?? 0;
  if (mcount === 0 || kpcount === 0) throw new WireError('too-few-entries', 'empty slot reservation matrix');
  if (mcount > MAX_MIX_MCOUNT)
    throw new WireError('too-many-entries', `${mcount} mixed messages > ${MAX_MIX_MCOUNT}`);
  if (kpcount > MAX_MIX_PEERS)
    throw new WireError('too-many-entries', `${kpcount} mixing peers > ${MAX_MIX_PEERS}`);
  writeSessionHead(writer, message);
  writer.varint(mcount).varint(kpcount);
  for (const row of message.dcMix) {
    if (row.length !== kpcount)
      throw new WireError('invalid-value', 'slot reservation rows of unequal length');
    writeFieldValues(writer, row, 'slot reservation field value');
  }
  writeSeen(writer, message.seenCiphertexts, 'seen ciphertext');
}

function readFactoredPoly(reader: ByteReader): MixFactoredPolyMessage {
  const head = readSessionHead(reader);
  const count = readBoundedCount(reader, 0, MAX_MIX_MCOUNT, 'root');
  const roots = readFieldValues(reader, count, 'root');
  return {
    command: 'mixfactpoly',
    ...head,
    roots,
    seenSlotReserves: readSeen(reader, 'seen slot reservation'),
  };
}

function writeFactoredPoly(writer: ByteWriter, message: MixFactoredPolyMessage): void {
  if (message.roots.length > MAX_MIX_MCOUNT) {
    throw new WireError('too-many-entries', `${message.roots.length} roots > ${MAX_MIX_MCOUNT}`);
  }
  writeSessionHead(writer, message);
  writer.varint(message.roots.length);
  writeFieldValues(writer, message.roots, 'root');
  writeSeen(writer, message.seenSlotReserves, 'seen slot reservation');
}

/** The size prefix of DC-net vectors, which must name the only size there is. */
function readMessageSize(reader: ByteReader): void {
  const size = reader.varint('mixed message size');
  if (size !== MIX_MESSAGE_SIZE) {
    throw new WireError('invalid-value', `mixed messages of ${size} bytes, expected ${MIX_MESSAGE_SIZE}`);
  }
}

function readMixVectors(reader: ByteReader): Uint8Array[][] {
  const rows = reader.varint('DC-net row count');
  if (rows === 0) return [];
  const columns = reader.varint('DC-net column count');
  // dcrd reads both dimensions and the size before judging them.
  readMessageSize(reader);
  if (rows > MAX_MIX_MCOUNT || columns > MAX_MIX_MCOUNT) {
    throw new WireError('too-many-entries', `DC-net vectors of ${rows} × ${columns} > ${MAX_MIX_MCOUNT}`);
  }
  needFixed(reader, rows * columns, MIX_MESSAGE_SIZE, 'DC-net vectors');
  const vectors: Uint8Array[][] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const row: Uint8Array[] = new Array(columns);
    for (let j = 0; j < columns; j++) row[j] = reader.bytesView(MIX_MESSAGE_SIZE, 'DC-net message');
    vectors[i] = row;
  }
  return vectors;
}

function readDCNet(reader: ByteReader): MixDCNetMessage {
  const head = readSessionHead(reader);
  const dcNet = readMixVectors(reader);
  return { command: 'mixdcnet', ...head, dcNet, seenSlotReserves: readSeen(reader, 'seen slot reservation') };
}

function writeDCNet(writer: ByteWriter, message: MixDCNetMessage): void {
  const rows = message.dcNet.length;
  // dcrd decodes an empty matrix but refuses to send one.
  if (rows === 0) throw new WireError('too-few-entries', 'DC-net without mixed messages');
  if (rows > MAX_MIX_MCOUNT)
    throw new WireError('too-many-entries', `${rows} DC-net rows > ${MAX_MIX_MCOUNT}`);
  const columns = message.dcNet[0]!.length;
  if (columns > MAX_MIX_MCOUNT)
    throw new WireError('too-many-entries', `${columns} DC-net columns > ${MAX_MIX_MCOUNT}`);
  writeSessionHead(writer, message);
  writer.varint(rows).varint(columns).varint(MIX_MESSAGE_SIZE);
  for (const row of message.dcNet) {
    if (row.length !== columns) throw new WireError('invalid-value', 'DC-net rows of unequal length');
    for (const entry of row) writer.fixed(entry, MIX_MESSAGE_SIZE, 'DC-net message');
  }
  writeSeen(writer, message.seenSlotReserves, 'seen slot reservation');
}

function readConfirm(reader: ByteReader): MixConfirmMessage {
  const head = readSessionHead(reader);
  const mix = readTransaction(reader);
  return { command: 'mixconfirm', ...head, mix, seenDCNets: readSeen(reader, 'seen DC-net') };
}

function writeConfirm(writer: ByteWriter, message: MixConfirmMessage): void {
  writeSessionHead(writer, message);
  writeTransaction(writer, message.mix);
  writeSeen(writer, message.seenDCNets, 'seen DC-net');
}

function readSecrets(reader: ByteReader): MixSecretsMessage {
  const head = readSessionHead(reader);
  const seed = reader.bytesView(32, 'seed');
  const slotReserveCount = readBoundedCount(reader, 0, MAX_MIX_MCOUNT, 'slot reservation message');
  const slotReserveMessages = readFieldValues(reader, slotReserveCount, 'slot reservation message');
  const dcNetCount = reader.varint('DC-net message count');
  const dcNetMessages: Uint8Array[] = [];
  if (dcNetCount > 0) {
    readMessageSize(reader);
    if (dcNetCount > MAX_MIX_MCOUNT) {
      throw new WireError('too-many-entries', `${dcNetCount} DC-net messages > ${MAX_MIX_MCOUNT}`);
    }
    needFixed(reader, dcNetCount, MIX_MESSAGE_SIZE, 'DC-net messages');
    for (let i = 0; i < dcNetCount; i++)
      dcNetMessages.push(reader.bytesView(MIX_MESSAGE_SIZE, 'DC-net message'));
  }
  return {
    command: 'mixsecrets',
    ...head,
    seed,
    slotReserveMessages,
    dcNetMessages,
    seenSecrets: readSeen(reader, 'seen secrets'),
  };
}

function writeSecrets(writer: ByteWriter, message: MixSecretsMessage): void {
  const slotReserves = message.slotReserveMessages.length;
  const dcNets = message.dcNetMessages.length;
  if (slotReserves > MAX_MIX_MCOUNT || dcNets > MAX_MIX_MCOUNT) {
    throw new WireError('too-many-entries', `more than ${MAX_MIX_MCOUNT} revealed messages`);
  }
  writeSessionHead(writer, message);
  writer.fixed(message.seed, 32, 'seed').varint(slotReserves);
  writeFieldValues(writer, message.slotReserveMessages, 'slot reservation message');
  writer.varint(dcNets);
  if (dcNets > 0) {
    writer.varint(MIX_MESSAGE_SIZE);
    for (const entry of message.dcNetMessages) writer.fixed(entry, MIX_MESSAGE_SIZE, 'DC-net message');
  }
  writeSeen(writer, message.seenSecrets, 'seen secrets');
}

type Writer<M> = (writer: ByteWriter, message: M) => void;

const WRITERS = {
  mixpairreq: writePairReq,
  mixkeyxchg: writeKeyExchange,
  mixcphrtxt: writeCiphertexts,
  mixslotres: writeSlotReserve,
  mixfactpoly: writeFactoredPoly,
  mixdcnet: writeDCNet,
  mixconfirm: writeConfirm,
  mixsecrets: writeSecrets,
} as const;

function mixCodec<M extends DecredMixMessage>(
  command: M['command'],
  read: (reader: ByteReader) => M,
): MessageCodec<M> {
  const write = WRITERS[command] as unknown as Writer<M>;
  const cap = MAX_PAYLOAD[command];
  return {
    command,
    minProtocolVersion: DecredProtocol.mix,
    maxPayloadLength: (pver) => (pver < DecredProtocol.mix ? 0 : cap),
    decode: (reader) => read(reader),
    encode: (message, writer) => write(writer, message),
  };
}

/**
 * A mixing message's identity: BLAKE-256 of its serialisation (dcrd WriteHash), which is what MIX
 * inventory vectors and the seen-message lists refer to. For a message decoded from the wire this
 * equals BLAKE-256 of the received payload.
 */
export function mixMessageHash(message: DecredMixMessage): Hash {
  const writer = new ByteWriter(1024);
  (WRITERS[message.command] as unknown as Writer<DecredMixMessage>)(writer, message);
  return blake256(writer.finish());
}

export const mixCodecs = [
  mixCodec('mixpairreq', readPairReq),
  mixCodec('mixkeyxchg', readKeyExchange),
  mixCodec('mixcphrtxt', readCiphertexts),
  mixCodec('mixslotres', readSlotReserve),
  mixCodec('mixfactpoly', readFactoredPoly),
  mixCodec('mixdcnet', readDCNet),
  mixCodec('mixconfirm', readConfirm),
  mixCodec('mixsecrets', readSecrets),
] as MessageCodec[];
