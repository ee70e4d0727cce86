import { readFileSync } from 'node:fs';
import type { WireErrorCode } from '../../src/wire/errors.js';

/** Byte vectors taken from btcd's and dcrd's wire tests (see test/fixtures/vectors/README.md). */
export interface MessageVector {
  command: string;
  protocolVersion: number;
  encoding?: 'base' | 'witness';
  payloadHex: string;
  frameHex?: string;
  network?: string;
  fields?: Record<string, unknown>;
  expectError?: string;
  errorDetail?: string;
  source: string;
  note?: string;
  derived?: boolean;
}

export interface PrimitiveVector {
  type: string;
  hex: string;
  expectError?: string;
  [key: string]: unknown;
}

function load<T>(family: 'bitcoin' | 'decred', file: string): T[] {
  const url = new URL(`../fixtures/vectors/${family}/${file}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T[];
}

export const messageVectors = (family: 'bitcoin' | 'decred') => load<MessageVector>(family, 'messages.json');
export const primitiveVectors = (family: 'bitcoin' | 'decred') =>
  load<PrimitiveVector>(family, 'primitives.json');

/** The vectors' error classes mapped to our WireError codes. */
export const errorCodeOf: Record<string, WireErrorCode> = {
  truncated: 'truncated',
  'non-canonical varint': 'non-canonical-varint',
  'too many entries': 'too-many-entries',
  'too few entries': 'too-few-entries',
  'length exceeds maximum': 'length-exceeds-maximum',
  'invalid for protocol version': 'invalid-for-protocol-version',
  'non-zero tx count in headers': 'non-zero-tx-count',
  'invalid witness flag': 'invalid-witness-flag',
  'superfluous witness record': 'superfluous-witness',
  'invalid address size': 'invalid-address-size',
  'unknown address type': 'unknown-address-type',
  'invalid timestamp': 'invalid-timestamp',
  'malformed strict string': 'malformed-strict-string',
  'trailing bytes': 'trailing-bytes',
  'truncated header': 'truncated-header',
  'wrong network': 'wrong-network',
  'payload too large': 'payload-too-large',
  'invalid command': 'invalid-command',
  'unknown command': 'unknown-command',
  'truncated payload': 'truncated-payload',
  'bad checksum': 'bad-checksum',
};

export function vectorName(vector: MessageVector, index: number): string {
  const what = vector.expectError ? `rejects (${vector.expectError})` : 'decodes';
  return `#${index} ${vector.command || 'frame'} @${vector.protocolVersion} ${what} — ${vector.source}`;
}
