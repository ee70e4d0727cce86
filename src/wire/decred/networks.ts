import { MAX_MESSAGE_PAYLOAD } from '../bytes.js';
import type { Network } from '../networks.js';

/** Decred protocol versions that gate messages and layouts (dcrd wire/protocol.go). */
export const DecredProtocol = {
  initial: 1,
  /** Added the SFNodeBloom service flag only (never used). */
  nodeBloom: 2,
  sendHeaders: 3,
  /** Raised the block (and tx) payload cap from 1 000 000 to 1 310 720 bytes. */
  maxBlockSize: 4,
  feeFilter: 5,
  /** Version 1 committed filters: getcfilter, getcfheaders, getcftypes and their replies. */
  nodeCF: 6,
  cfilterV2: 7,
  initState: 8,
  /** reject no longer exists from here on. */
  removeReject: 9,
  mix: 10,
  batchedCFiltersV2: 11,
  /** addrv2 replaces addr from here on. */
  addrV2: 12,
  latest: 12,
} as const;

/** A Decred network; the literal family lets callers (and overloads) tell it from a Bitcoin one. */
export type DecredNetwork = Network & { readonly family: 'decred' };

/** dcrd checks every frame against MaxMessagePayload (32 MiB); it has no smaller network cap. */
export const DECRED_MAX_PAYLOAD_LENGTH = MAX_MESSAGE_PAYLOAD;

function decred(name: string, magic: number, defaultPort: number, genesisHash: string): DecredNetwork {
  return Object.freeze({
    family: 'decred',
    name,
    id: `decred-${name}`,
    magic,
    defaultPort,
    genesisHash,
    maxPayloadLength: DECRED_MAX_PAYLOAD_LENGTH,
    protocolVersion: DecredProtocol.latest,
  });
}

/** dcrd chaincfg: magic (wire.CurrencyNet), default port and genesis block hash of each network. */
export const decredNetworks = Object.freeze({
  mainnet: decred(
    'mainnet',
    0xd9b400f9,
    9108,
    '298e5cc3d985bfe7f81dc135f360abe089edd4396b86d2de66b0cef42b21d980',
  ),
  testnet3: decred(
    'testnet3',
    0xb194aa75,
    19108,
    'a649dce53918caf422e9c711c858837e08d626ecfcd198969b24f7b634a49bac',
  ),
  // Same magic value as btcd's simnet: a Decred simnet frame is told apart only by its checksum.
  simnet: decred(
    'simnet',
    0x12141c16,
    18555,
    '6bef82c645999585f7255cb02672921ac2f5492820090cd635fe3a59d16b4f87',
  ),
  regnet: decred(
    'regnet',
    0xdab500fa,
    18655,
    '2ced94b4ae95bba344cfa043268732d230649c640f92dce2d9518823d3057cb0',
  ),
});
