import type { ByteReader, ByteWriter } from '../bytes.js';
import {
  inventoryAndLocatorCodecs,
  type ListLimits,
  readLocator as readLocatorOf,
  writeLocator as writeLocatorOf,
} from '../common-codecs.js';
import type { Hash } from './types.js';

/** dcrd MaxInvPerMsg and MaxBlockLocatorsPerMsg. */
export const MAX_INV_PER_MESSAGE = 50_000;
export const MAX_LOCATOR_HASHES = 500;

const inventoryLimits: ListLimits = { max: MAX_INV_PER_MESSAGE, countPrefix: 3 };
const locatorLimits: ListLimits = { max: MAX_LOCATOR_HASHES, countPrefix: 3 };

/** A block locator: at most 500 hashes, the count checked before any is read. */
export function readLocator(reader: ByteReader): Hash[] {
  return readLocatorOf(reader, MAX_LOCATOR_HASHES);
}

export function writeLocator(writer: ByteWriter, locator: readonly Hash[]): void {
  writeLocatorOf(writer, locator, MAX_LOCATOR_HASHES);
}

export const inventoryCodecs = inventoryAndLocatorCodecs(inventoryLimits, locatorLimits);
