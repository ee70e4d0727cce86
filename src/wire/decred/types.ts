/**
 * The Decred message catalogue (dcrd wire) as TypeScript values. A `DecredMessage` is a
 * discriminated union on `command`. Conventions as for Bitcoin: 64-bit integers are bigint, hashes
 * are 32-byte Uint8Arrays in wire order, IPs in legacy addresses are 16-byte IPv6.
 *
 * Messages whose wire layout and meaning match Bitcoin's reuse the Bitcoin types, so code that
 * handles `ping` or `inv` needs no family switch.
 */
import type {
  AddrMessage,
  EmptyMessage,
  FeeFilterMessage,
  GetBlocksMessage,
  GetDataMessage,
  GetHeadersMessage,
  Hash,
  InvMessage,
  NotFoundMessage,
  PingMessage,
  PongMessage,
  RejectMessage,
  VersionMessage,
} from '../bitcoin/types.js';

export type {
  AddrMessage,
  EmptyMessage,
  FeeFilterMessage,
  GetBlocksMessage,
  GetDataMessage,
  GetHeadersMessage,
  Hash,
  InvMessage,
  InvVector,
  NetAddress,
  NotFoundMessage,
  PingMessage,
  PongMessage,
  RejectMessage,
  UnknownMessage,
  VersionMessage,
} from '../bitcoin/types.js';

/** dcrd inventory types; MIX (4) announces mixing messages by their BLAKE-256 hash. */
export const DecredInvType = {
  error: 0,
  tx: 1,
  block: 2,
  filteredBlock: 3,
  mix: 4,
} as const;

/** dcrd addrv2 address types. */
export const DecredAddressType = {
  ipv4: 1,
  ipv6: 2,
  torv3: 3,
} as const;

/** One dcrd addrv2 entry (dcrd's own format, not BIP155). */
export interface DecredAddrV2Entry {
  /** Unix seconds, uint64 on the wire. */
  timestamp: bigint;
  services: bigint;
  /** 1 IPv4, 2 IPv6, 3 TorV3 (`DecredAddressType`). */
  type: number;
  /** 4, 16 or 32 bytes by type. */
  addr: Uint8Array;
  /** Little-endian on the wire, unlike the legacy address. */
  port: number;
}

/** The 180-byte Decred block header. */
export interface DecredBlockHeader {
  version: number;
  prevBlock: Hash;
  merkleRoot: Hash;
  stakeRoot: Hash;
  voteBits: number;
  /** 6 bytes: the final state of the ticket-lottery PRNG. */
  finalState: Uint8Array;
  voters: number;
  freshStake: number;
  revocations: number;
  poolSize: number;
  bits: number;
  /** Stake difficulty (int64). */
  sBits: bigint;
  height: number;
  size: number;
  /** Unix seconds (uint32). */
  timestamp: number;
  nonce: number;
  /** 32 bytes. */
  extraData: Uint8Array;
  stakeVersion: number;
}

/** Transaction serialisation types: the upper 16 bits of the wire version field. */
export const TxSerType = {
  /** Prefix followed by the witness. */
  full: 0,
  /** Prefix only (what the transaction hash covers). */
  noWitness: 1,
  /** Witness only. */
  onlyWitness: 2,
} as const;

export interface DecredOutPoint {
  hash: Hash;
  index: number;
  /** 0 regular, 1 stake (int8). */
  tree: number;
}

/**
 * A transaction input. Prefix fields (`previousOutput`, `sequence`) and witness fields (the rest)
 * travel in different sections; a section that is not serialised decodes as zeros.
 */
export interface DecredTxIn {
  previousOutput: DecredOutPoint;
  sequence: number;
  /** Atoms (int64). */
  valueIn: bigint;
  blockHeight: number;
  blockIndex: number;
  /** The signature script. */
  script: Uint8Array;
}

export interface DecredTxOut {
  /** Atoms (int64). */
  value: bigint;
  /** Script version (uint16). */
  version: number;
  script: Uint8Array;
}

export interface DecredTransaction {
  /** `TxSerType`: which sections are on the wire. */
  serType: number;
  /** Transaction version (uint16). */
  version: number;
  inputs: DecredTxIn[];
  outputs: DecredTxOut[];
  lockTime: number;
  expiry: number;
}

export interface DecredTxMessage {
  command: 'tx';
  transaction: DecredTransaction;
  /** The exact wire payload when decoded from a frame. */
  raw?: Uint8Array;
}

export interface DecredBlockMessage {
  command: 'block';
  header: DecredBlockHeader;
  /** Regular transaction tree; decoded on first access when the block came from the wire. */
  transactions: DecredTransaction[];
  /** Stake transaction tree; decoded on first access when the block came from the wire. */
  stakeTransactions: DecredTransaction[];
  /**
   * The exact wire payload when decoded from a frame (dcrd's OnBlock buffer).
   * Read-only: relaying the block sends these bytes with the checksum verified on receipt, as long
   * as its header is unchanged and its transactions were never read.
   */
  raw?: Uint8Array;
}

export interface DecredHeadersMessage {
  command: 'headers';
  headers: DecredBlockHeader[];
}

export interface DecredAddrV2Message {
  command: 'addrv2';
  /** 1 to 1000 entries. */
  addresses: DecredAddrV2Entry[];
}

export type GetMiningStateMessage = EmptyMessage<'getminings'>;

export interface MiningStateMessage {
  command: 'miningstate';
  version: number;
  height: number;
  /** At most 8. */
  blockHashes: Hash[];
  /** At most 40. */
  voteHashes: Hash[];
}

export interface GetInitStateMessage {
  command: 'getinitstate';
  /** At most 32 strict-ASCII names of at most 32 bytes ('headblocks', 'headblockvotes', 'tspends'). */
  types: string[];
}

export interface InitStateMessage {
  command: 'initstate';
  /** At most 8. */
  blockHashes: Hash[];
  /** At most 40. */
  voteHashes: Hash[];
  /** At most 7. */
  tspendHashes: Hash[];
}

/** Version 1 committed filters (protocol 6 to 11; deprecated from 7 but still on the wire). */
export interface GetCFilterMessage {
  command: 'getcfilter';
  blockHash: Hash;
  filterType: number;
}

export interface DecredGetCFHeadersMessage {
  command: 'getcfheaders';
  /** At most 500. */
  locator: Hash[];
  hashStop: Hash;
  filterType: number;
}

export type GetCFTypesMessage = EmptyMessage<'getcftypes'>;

export interface DecredCFilterMessage {
  command: 'cfilter';
  blockHash: Hash;
  filterType: number;
  /** At most 256 KiB. */
  data: Uint8Array;
}

export interface DecredCFHeadersMessage {
  command: 'cfheaders';
  stopHash: Hash;
  filterType: number;
  /** At most 2000. */
  headerHashes: Hash[];
}

export interface CFTypesMessage {
  command: 'cftypes';
  /** At most 256 filter type bytes. */
  supportedFilters: number[];
}

export const DecredFilterType = {
  regular: 0,
  extended: 1,
} as const;

export interface GetCFilterV2Message {
  command: 'getcfilterv2';
  blockHash: Hash;
}

/** A version 2 filter with the proof that the block header commits to it. */
export interface CFilterV2 {
  blockHash: Hash;
  /** At most 256 KiB. */
  data: Uint8Array;
  proofIndex: number;
  /** At most 32. */
  proofHashes: Hash[];
}

export interface CFilterV2Message extends CFilterV2 {
  command: 'cfilterv2';
}

export interface GetCFiltersV2Message {
  command: 'getcfsv2';
  startHash: Hash;
  endHash: Hash;
}

export interface CFiltersV2Message {
  command: 'cfiltersv2';
  /** At most 100. */
  filters: CFilterV2[];
}

/** Common head of every mixing message. */
interface MixMessageBase {
  /** 64 bytes. */
  signature: Uint8Array;
  /** 33-byte compressed public key. */
  identity: Uint8Array;
}

interface MixSessionMessage extends MixMessageBase {
  /** 32 bytes. */
  sessionId: Uint8Array;
  run: number;
}

export interface MixPairReqUtxo {
  outPoint: DecredOutPoint;
  /** The redeem script, only for P2SH (at most 16 384 bytes). */
  script: Uint8Array;
  /** At most 33 bytes. */
  pubKey: Uint8Array;
  /** At most 64 bytes. */
  signature: Uint8Array;
  /** 0, or the stake opcode tagging the output (OP_SSGEN, OP_SSRTX, OP_TGEN). */
  opcode: number;
}

export interface MixPairReqMessage extends MixMessageBase {
  command: 'mixpairreq';
  expiry: number;
  /** Atoms, never negative. */
  mixAmount: bigint;
  /** Strict ASCII, at most 32 bytes. */
  scriptClass: string;
  txVersion: number;
  lockTime: number;
  messageCount: number;
  /** Atoms, never negative. */
  inputValue: bigint;
  /** At most 512. */
  utxos: MixPairReqUtxo[];
  change?: DecredTxOut;
  flags: number;
  pairingFlags: number;
}

export interface MixKeyExchangeMessage extends MixSessionMessage {
  command: 'mixkeyxchg';
  epoch: bigint;
  pos: number;
  /** 33 bytes. */
  ecdh: Uint8Array;
  /** sntrup4591761 public key, 1218 bytes. */
  pqpk: Uint8Array;
  /** 32 bytes. */
  commitment: Uint8Array;
  /** At most 512. */
  seenPairRequests: Hash[];
}

export interface MixCiphertextsMessage extends MixSessionMessage {
  command: 'mixcphrtxt';
  /** sntrup4591761 ciphertexts of 1047 bytes; as many as `seenKeyExchanges` (at most 512). */
  ciphertexts: Uint8Array[];
  seenKeyExchanges: Hash[];
}

export interface MixSlotReserveMessage extends MixSessionMessage {
  command: 'mixslotres';
  /** mcount (1..1024) rows of kpcount (1..512) field values of at most 32 bytes. */
  dcMix: Uint8Array[][];
  /** At most 512. */
  seenCiphertexts: Hash[];
}

export interface MixFactoredPolyMessage extends MixSessionMessage {
  command: 'mixfactpoly';
  /** At most 1024 roots of at most 32 bytes. */
  roots: Uint8Array[];
  /** At most 512. */
  seenSlotReserves: Hash[];
}

export interface MixDCNetMessage extends MixSessionMessage {
  command: 'mixdcnet';
  /** Rows (1..1024) of equally many 20-byte DC-net messages. */
  dcNet: Uint8Array[][];
  /** At most 512. */
  seenSlotReserves: Hash[];
}

export interface MixConfirmMessage extends MixSessionMessage {
  command: 'mixconfirm';
  /** The coinjoin, with this peer's signatures. */
  mix: DecredTransaction;
  /** At most 512. */
  seenDCNets: Hash[];
}

export interface MixSecretsMessage extends MixSessionMessage {
  command: 'mixsecrets';
  /** 32 bytes. */
  seed: Uint8Array;
  /** At most 1024 values of at most 32 bytes. */
  slotReserveMessages: Uint8Array[];
  /** At most 1024 messages of 20 bytes. */
  dcNetMessages: Uint8Array[];
  /** At most 512. */
  seenSecrets: Hash[];
}

export type DecredMixMessage =
  | MixPairReqMessage
  | MixKeyExchangeMessage
  | MixCiphertextsMessage
  | MixSlotReserveMessage
  | MixFactoredPolyMessage
  | MixDCNetMessage
  | MixConfirmMessage
  | MixSecretsMessage;

export type DecredMessage =
  | VersionMessage
  | EmptyMessage<'verack'>
  | EmptyMessage<'getaddr'>
  | AddrMessage
  | DecredAddrV2Message
  | GetBlocksMessage
  | GetHeadersMessage
  | DecredHeadersMessage
  | InvMessage
  | GetDataMessage
  | NotFoundMessage
  | DecredBlockMessage
  | DecredTxMessage
  | PingMessage
  | PongMessage
  | EmptyMessage<'mempool'>
  | GetMiningStateMessage
  | MiningStateMessage
  | EmptyMessage<'sendheaders'>
  | FeeFilterMessage
  | GetCFilterMessage
  | DecredGetCFHeadersMessage
  | GetCFTypesMessage
  | DecredCFilterMessage
  | DecredCFHeadersMessage
  | CFTypesMessage
  | GetCFilterV2Message
  | CFilterV2Message
  | GetCFiltersV2Message
  | CFiltersV2Message
  | GetInitStateMessage
  | InitStateMessage
  | RejectMessage
  | DecredMixMessage;

export type DecredCommand = DecredMessage['command'];

export type DecredMessageOf<C extends DecredCommand> = Extract<DecredMessage, { command: C }>;
