import { type ByteReader, ByteWriter, MAX_MESSAGE_PAYLOAD } from '../bytes.js';
import { WireError } from '../errors.js';
import { blake256 } from './hash.js';
import {
  type DecredOutPoint,
  type DecredTransaction,
  type DecredTxIn,
  type DecredTxOut,
  type Hash,
  TxSerType,
} from './types.js';

/** Outpoint 32 + 4 + 1, script length 1, sequence 4: the smallest serialised input. */
const MIN_TX_IN_PAYLOAD = 11 + 32;
/** dcrd maxTxInPerMessage / maxTxOutPerMessage: counts no 32 MiB message could hold. */
export const MAX_TX_IN_PER_MESSAGE = Math.floor(MAX_MESSAGE_PAYLOAD / MIN_TX_IN_PAYLOAD) + 1;
export const MAX_TX_OUT_PER_MESSAGE = Math.floor(MAX_MESSAGE_PAYLOAD / 9) + 1;
/** Version, three counts, lock time and expiry: the smallest serialised transaction. */
export const MIN_TX_PAYLOAD = 4 + 1 + 1 + 1 + 4 + 4;

export function readOutPoint(reader: ByteReader): DecredOutPoint {
  return {
    hash: reader.hash('previous output hash'),
    index: reader.u32le('previous output index'),
    // int8 on the wire.
    tree: (reader.u8('previous output tree') << 24) >> 24,
  };
}

export function writeOutPoint(writer: ByteWriter, outPoint: DecredOutPoint): void {
  writer
    .hash(outPoint.hash)
    .u32le(outPoint.index)
    .u8(outPoint.tree & 0xff);
}

export function readTxOut(reader: ByteReader): DecredTxOut {
  return {
    value: reader.i64le('output value'),
    version: reader.u16le('output script version'),
    script: reader.varBytes(MAX_MESSAGE_PAYLOAD, 'public key script'),
  };
}

export function writeTxOut(writer: ByteWriter, output: DecredTxOut): void {
  writer.i64le(output.value).u16le(output.version).varBytes(output.script);
}

function emptyInput(): DecredTxIn {
  return {
    previousOutput: { hash: new Uint8Array(32), index: 0, tree: 0 },
    sequence: 0,
    valueIn: 0n,
    blockHeight: 0,
    blockIndex: 0,
    script: new Uint8Array(0),
  };
}

function readPrefix(reader: ByteReader, transaction: DecredTransaction): void {
  const inputCount = reader.count(MAX_TX_IN_PER_MESSAGE, 'tx input');
  const inputs: DecredTxIn[] = new Array(inputCount);
  for (let i = 0; i < inputCount; i++) {
    inputs[i] = {
      previousOutput: readOutPoint(reader),
      sequence: reader.u32le('sequence'),
      valueIn: 0n,
      blockHeight: 0,
      blockIndex: 0,
      script: new Uint8Array(0),
    };
  }
  const outputCount = reader.count(MAX_TX_OUT_PER_MESSAGE, 'tx output');
  const outputs: DecredTxOut[] = new Array(outputCount);
  for (let i = 0; i < outputCount; i++) outputs[i] = readTxOut(reader);
  transaction.inputs = inputs;
  transaction.outputs = outputs;
  transaction.lockTime = reader.u32le('lock time');
  transaction.expiry = reader.u32le('expiry');
}

function readWitnessInto(reader: ByteReader, input: DecredTxIn): void {
  input.valueIn = reader.i64le('value in');
  input.blockHeight = reader.u32le('block height');
  input.blockIndex = reader.u32le('block index');
  input.script = reader.varBytes(MAX_MESSAGE_PAYLOAD, 'signature script');
}

function readWitness(reader: ByteReader, transaction: DecredTransaction, afterPrefix: boolean): void {
  const count = reader.varint('tx witness count');
  if (afterPrefix && count !== transaction.inputs.length) {
    throw new WireError(
      'invalid-value',
      `tx witness count ${count} differs from its input count ${transaction.inputs.length}`,
    );
  }
  if (count > MAX_TX_IN_PER_MESSAGE) {
    throw new WireError('too-many-entries', `tx witness count ${count} > ${MAX_TX_IN_PER_MESSAGE}`);
  }
  if (!afterPrefix) {
    transaction.inputs = new Array(count);
    for (let i = 0; i < count; i++) transaction.inputs[i] = emptyInput();
  }
  for (let i = 0; i < count; i++) readWitnessInto(reader, transaction.inputs[i]!);
}

/** Reads one transaction in any of the three serialisations (dcrd MsgTx.BtcDecode). */
export function readTransaction(reader: ByteReader): DecredTransaction {
  const versionField = reader.u32le('tx version');
  const transaction: DecredTransaction = {
    serType: versionField >>> 16,
    version: versionField & 0xffff,
    inputs: [],
    outputs: [],
    lockTime: 0,
    expiry: 0,
  };
  switch (transaction.serType) {
    case TxSerType.noWitness:
      readPrefix(reader, transaction);
      break;
    case TxSerType.onlyWitness:
      readWitness(reader, transaction, false);
      break;
    case TxSerType.full:
      readPrefix(reader, transaction);
      readWitness(reader, transaction, true);
      break;
    default:
      throw new WireError(
        'invalid-value',
        `unsupported transaction serialisation type ${transaction.serType}`,
      );
  }
  return transaction;
}

function writePrefix(writer: ByteWriter, transaction: DecredTransaction): void {
  writer.varint(transaction.inputs.length);
  for (const input of transaction.inputs) {
    writeOutPoint(writer, input.previousOutput);
    writer.u32le(input.sequence);
  }
  writer.varint(transaction.outputs.length);
  for (const output of transaction.outputs) writeTxOut(writer, output);
  writer.u32le(transaction.lockTime).u32le(transaction.expiry);
}

function writeWitness(writer: ByteWriter, transaction: DecredTransaction): void {
  writer.varint(transaction.inputs.length);
  for (const input of transaction.inputs) {
    writer.i64le(input.valueIn).u32le(input.blockHeight).u32le(input.blockIndex).varBytes(input.script);
  }
}

/** Writes a transaction in the serialisation its `serType` names. */
export function writeTransaction(writer: ByteWriter, transaction: DecredTransaction): void {
  writer.u32le(((transaction.version & 0xffff) | (transaction.serType << 16)) >>> 0);
  switch (transaction.serType) {
    case TxSerType.noWitness:
      writePrefix(writer, transaction);
      break;
    case TxSerType.onlyWitness:
      writeWitness(writer, transaction);
      break;
    case TxSerType.full:
      writePrefix(writer, transaction);
      writeWitness(writer, transaction);
      break;
    default:
      throw new WireError(
        'invalid-value',
        `unsupported transaction serialisation type ${transaction.serType}`,
      );
  }
}

/** The transaction serialised as `serType`, whatever its own serialisation type is. */
export function serializeTransaction(transaction: DecredTransaction, serType: number): Uint8Array {
  const writer = new ByteWriter(256);
  writeTransaction(writer, { ...transaction, serType });
  return writer.finish();
}

/** dcrd TxHash: BLAKE-256 of the prefix serialisation (stable under witness changes), wire order. */
export function txHash(transaction: DecredTransaction): Hash {
  return blake256(serializeTransaction(transaction, TxSerType.noWitness));
}

/** dcrd TxHashWitness: BLAKE-256 of the witness-only serialisation. */
export function txHashWitness(transaction: DecredTransaction): Hash {
  return blake256(serializeTransaction(transaction, TxSerType.onlyWitness));
}

/** dcrd TxHashFull: BLAKE-256 of the prefix hash followed by the witness hash. */
export function txHashFull(transaction: DecredTransaction): Hash {
  const both = new Uint8Array(64);
  both.set(txHash(transaction), 0);
  both.set(txHashWitness(transaction), 32);
  return blake256(both);
}

function skip(reader: ByteReader, length: number, what: string): void {
  if (length > reader.remaining) {
    throw new WireError(
      'truncated',
      `truncated ${what}: need ${length} bytes at offset ${reader.offset}, have ${reader.remaining}`,
    );
  }
  reader.offset += length;
}

function skipScript(reader: ByteReader, what: string): void {
  const length = reader.varint(`${what} length`);
  if (length > MAX_MESSAGE_PAYLOAD) {
    throw new WireError('length-exceeds-maximum', `${what} length ${length} > ${MAX_MESSAGE_PAYLOAD}`);
  }
  skip(reader, length, what);
}

/**
 * Walks one transaction with the same bounds and limits as `readTransaction` but builds nothing:
 * a block is validated whole when it arrives and its transactions are materialised on demand.
 */
export function skipTransaction(reader: ByteReader): void {
  const versionField = reader.u32le('tx version');
  const serType = versionField >>> 16;
  if (serType !== TxSerType.full && serType !== TxSerType.noWitness && serType !== TxSerType.onlyWitness) {
    throw new WireError('invalid-value', `unsupported transaction serialisation type ${serType}`);
  }
  let inputCount = 0;
  if (serType !== TxSerType.onlyWitness) {
    inputCount = reader.count(MAX_TX_IN_PER_MESSAGE, 'tx input');
    for (let i = 0; i < inputCount; i++) skip(reader, 32 + 4 + 1 + 4, 'tx input');
    const outputCount = reader.count(MAX_TX_OUT_PER_MESSAGE, 'tx output');
    for (let i = 0; i < outputCount; i++) {
      skip(reader, 8 + 2, 'tx output');
      skipScript(reader, 'public key script');
    }
    skip(reader, 4 + 4, 'lock time and expiry');
  }
  if (serType !== TxSerType.noWitness) {
    const witnessCount = reader.varint('tx witness count');
    if (serType === TxSerType.full && witnessCount !== inputCount) {
      throw new WireError(
        'invalid-value',
        `tx witness count ${witnessCount} differs from its input count ${inputCount}`,
      );
    }
    if (witnessCount > MAX_TX_IN_PER_MESSAGE) {
      throw new WireError('too-many-entries', `tx witness count ${witnessCount} > ${MAX_TX_IN_PER_MESSAGE}`);
    }
    for (let i = 0; i < witnessCount; i++) {
      skip(reader, 8 + 4 + 4, 'tx witness');
      skipScript(reader, 'signature script');
    }
  }
}
