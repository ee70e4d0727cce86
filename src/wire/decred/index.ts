import type { MessageCodec, WireFamily } from '../codec.js';
import { addressCodecs } from './addresses.js';
import { cfilterCodecs } from './cfilters.js';
import { chainCodecs } from './chain.js';
import { controlCodecs } from './control.js';
import { blake256Checksum } from './hash.js';
import { inventoryCodecs } from './inventory.js';
import { mixCodecs } from './mix.js';
import { stateCodecs } from './state.js';

const codecs: MessageCodec[] = [
  ...controlCodecs,
  ...addressCodecs,
  ...inventoryCodecs,
  ...chainCodecs,
  ...stateCodecs,
  ...cfilterCodecs,
  ...mixCodecs,
];

/**
 * The Decred wire family (dcrd wire, protocol 12): single BLAKE-256 checksums, strict printable
 * ASCII commands, and the dcrd message catalogue with its version gates.
 */
export const decredFamily: WireFamily = {
  name: 'decred',
  checksum: blake256Checksum,
  commandAlphabet: 'ascii',
  codecs: new Map(codecs.map((codec) => [codec.command, codec])),
};

// Names that would collide with the Bitcoin family's in src/wire/index.ts carry a Decred prefix.
export {
  readAddrV2Entry as readDecredAddrV2Entry,
  writeAddrV2Entry as writeDecredAddrV2Entry,
} from './addresses.js';
export {
  blockHash as decredBlockHash,
  maxBlockPayload as decredMaxBlockPayload,
  readBlockHeader as readDecredBlockHeader,
  writeBlockHeader as writeDecredBlockHeader,
} from './chain.js';
export { DEFAULT_DECRED_USER_AGENT } from './control.js';
export { blake256, blake256Checksum } from './hash.js';
export { mixMessageHash } from './mix.js';
export { DECRED_MAX_PAYLOAD_LENGTH, type DecredNetwork, DecredProtocol, decredNetworks } from './networks.js';
export { DecredServiceFlag, formatDecredServices } from './services.js';
export { InitStateType } from './state.js';
export {
  readTransaction as readDecredTransaction,
  serializeTransaction as serializeDecredTransaction,
  txHash as decredTxHash,
  txHashFull as decredTxHashFull,
  txHashWitness as decredTxHashWitness,
  writeTransaction as writeDecredTransaction,
} from './transaction.js';
export * from './types.js';
