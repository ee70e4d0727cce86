import { inventoryAndLocatorCodecs, type ListLimits } from '../common-codecs.js';

export const MAX_INV_PER_MESSAGE = 50_000;
export const MAX_LOCATOR_HASHES = 500;

const inventoryLimits: ListLimits = { max: MAX_INV_PER_MESSAGE, countPrefix: 9 };
const locatorLimits: ListLimits = { max: MAX_LOCATOR_HASHES, countPrefix: 9 };

export const inventoryCodecs = inventoryAndLocatorCodecs(inventoryLimits, locatorLimits);
