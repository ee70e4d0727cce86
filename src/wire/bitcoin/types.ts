/**
 * The Bitcoin message catalogue as TypeScript values. A `BitcoinMessage` is a discriminated union
 * on `command`. Conventions: 64-bit integers are bigint; hashes are 32-byte Uint8Arrays in wire
 * order (use `hashToHex` for display order); IPs are 16-byte IPv6 (IPv4 as ::ffff:a.b.c.d).
 */

/** A 32-byte hash in wire (internal) byte order. */
export type Hash = Uint8Array;

/** Legacy network address (26 bytes, 30 with the timestamp inside addr at ≥ 31402). */
export interface NetAddress {
  /** Unix seconds; only on the wire inside `addr` messages. */
  timestamp?: number;
  services: bigint;
  /** 16 bytes, IPv4 mapped as ::ffff:a.b.c.d. */
  ip: Uint8Array;
  /** Big-endian on the wire. */
  port: number;
}

/** BIP155 network ids. */
export const AddrV2Network = {
  ipv4: 1,
  ipv6: 2,
  torv2: 3,
  torv3: 4,
  i2p: 5,
  cjdns: 6,
} as const;

/** One BIP155 addrv2 entry. */
export interface AddrV2Entry {
  timestamp: number;
  /** CompactSize on the wire. */
  services: bigint;
  networkId: number;
  addr: Uint8Array;
  port: number;
}

export const InvType = {
  error: 0,
  tx: 1,
  block: 2,
  filteredBlock: 3,
  witnessTx: 0x40000001,
  witnessBlock: 0x40000002,
  filteredWitnessBlock: 0x40000003,
} as const;

export interface InvVector {
  type: number;
  hash: Hash;
}

export interface BlockHeader {
  version: number;
  prevBlock: Hash;
  merkleRoot: Hash;
  timestamp: number;
  bits: number;
  nonce: number;
}

export interface OutPoint {
  hash: Hash;
  index: number;
}

export interface TxIn {
  previousOutput: OutPoint;
  script: Uint8Array;
  sequence: number;
  /** Witness stack items; empty when the input has no witness. */
  witness: Uint8Array[];
}

export interface TxOut {
  /** Satoshis (int64). */
  value: bigint;
  script: Uint8Array;
}

export interface Transaction {
  version: number;
  inputs: TxIn[];
  outputs: TxOut[];
  lockTime: number;
}

export const RejectCode = {
  malformed: 0x01,
  invalid: 0x10,
  obsolete: 0x11,
  duplicate: 0x12,
  nonstandard: 0x40,
  dust: 0x41,
  insufficientFee: 0x42,
  checkpoint: 0x43,
} as const;

export interface VersionMessage {
  command: 'version';
  protocolVersion: number;
  services: bigint;
  /** Unix seconds (int64). */
  timestamp: bigint;
  addrYou: NetAddress;
  /** The trailing fields are optional on the wire (pre-106/209/70001 peers); absent = undefined. */
  addrMe?: NetAddress;
  nonce?: bigint;
  userAgent?: string;
  lastBlock?: number;
  /** Wire meaning: true = relay transactions. Absent on the wire means true. */
  relay?: boolean;
}

export interface EmptyMessage<C extends string> {
  command: C;
}

export type VerackMessage = EmptyMessage<'verack'>;
export type GetAddrMessage = EmptyMessage<'getaddr'>;
export type MempoolMessage = EmptyMessage<'mempool'>;
export type SendHeadersMessage = EmptyMessage<'sendheaders'>;
export type SendAddrV2Message = EmptyMessage<'sendaddrv2'>;
export type FilterClearMessage = EmptyMessage<'filterclear'>;
export type WtxidRelayMessage = EmptyMessage<'wtxidrelay'>;

export interface PingMessage {
  command: 'ping';
  /** 0n at protocol ≤ 60000, where the ping carries no nonce. */
  nonce: bigint;
}

export interface PongMessage {
  command: 'pong';
  nonce: bigint;
}

export interface AddrMessage {
  command: 'addr';
  addresses: NetAddress[];
}

export interface AddrV2Message {
  command: 'addrv2';
  addresses: AddrV2Entry[];
}

export interface InvMessage {
  command: 'inv';
  inventory: InvVector[];
}

export interface GetDataMessage {
  command: 'getdata';
  inventory: InvVector[];
}

export interface NotFoundMessage {
  command: 'notfound';
  inventory: InvVector[];
}

export interface GetBlocksMessage {
  command: 'getblocks';
  protocolVersion: number;
  locator: Hash[];
  hashStop: Hash;
}

export interface GetHeadersMessage {
  command: 'getheaders';
  protocolVersion: number;
  locator: Hash[];
  hashStop: Hash;
}

export interface HeadersMessage {
  command: 'headers';
  headers: BlockHeader[];
}

export interface BlockMessage {
  command: 'block';
  header: BlockHeader;
  /** Decoded on first access when the block came from the wire (the payload is kept raw). */
  transactions: Transaction[];
  /**
   * The exact wire payload when decoded from a frame (btcd's OnBlock buffer).
   * Read-only: relaying the block sends these bytes with the checksum verified on receipt, as long
   * as its header is unchanged and its transactions were never read.
   */
  raw?: Uint8Array;
}

export interface TxMessage {
  command: 'tx';
  transaction: Transaction;
  /** The exact wire payload when decoded from a frame. */
  raw?: Uint8Array;
}

export interface MerkleBlockMessage {
  command: 'merkleblock';
  header: BlockHeader;
  totalTransactions: number;
  hashes: Hash[];
  flags: Uint8Array;
}

export interface FilterLoadMessage {
  command: 'filterload';
  filter: Uint8Array;
  hashFunctions: number;
  tweak: number;
  /** 0 none, 1 all, 2 p2pubkey only. */
  flags: number;
}

export interface FilterAddMessage {
  command: 'filteradd';
  data: Uint8Array;
}

export interface RejectMessage {
  command: 'reject';
  /** The command of the rejected message. */
  message: string;
  code: number;
  reason: string;
  /** Only on the wire when `message` is 'block' or 'tx'. */
  hash?: Hash;
}

export interface FeeFilterMessage {
  command: 'feefilter';
  /** Satoshis per kB (int64). */
  feeRate: bigint;
}

export interface GetCFiltersMessage {
  command: 'getcfilters';
  filterType: number;
  startHeight: number;
  stopHash: Hash;
}

export interface GetCFHeadersMessage {
  command: 'getcfheaders';
  filterType: number;
  startHeight: number;
  stopHash: Hash;
}

export interface GetCFCheckptMessage {
  command: 'getcfcheckpt';
  filterType: number;
  stopHash: Hash;
}

export interface CFilterMessage {
  command: 'cfilter';
  filterType: number;
  blockHash: Hash;
  data: Uint8Array;
}

export interface CFHeadersMessage {
  command: 'cfheaders';
  filterType: number;
  stopHash: Hash;
  prevFilterHeader: Hash;
  filterHashes: Hash[];
}

export interface CFCheckptMessage {
  command: 'cfcheckpt';
  filterType: number;
  stopHash: Hash;
  filterHeaders: Hash[];
}

/** BIP152. */
export interface SendCmpctMessage {
  command: 'sendcmpct';
  announce: boolean;
  version: bigint;
}

export interface PrefilledTransaction {
  /** Absolute index in the block (differentially encoded on the wire). */
  index: number;
  transaction: Transaction;
}

export interface CmpctBlockMessage {
  command: 'cmpctblock';
  header: BlockHeader;
  nonce: bigint;
  /** 6-byte short transaction ids. */
  shortIds: bigint[];
  prefilledTransactions: PrefilledTransaction[];
}

export interface GetBlockTxnMessage {
  command: 'getblocktxn';
  blockHash: Hash;
  /** Absolute indexes (differentially encoded on the wire). */
  indexes: number[];
}

export interface BlockTxnMessage {
  command: 'blocktxn';
  blockHash: Hash;
  transactions: Transaction[];
}

/** The retired alert message, kept opaque: real nodes still send the "final alert". */
export interface AlertMessage {
  command: 'alert';
  payload: Uint8Array;
}

/** A frame whose command the codec does not know; the payload is handed over untouched. */
export interface UnknownMessage {
  command: 'unknown';
  rawCommand: string;
  payload: Uint8Array;
}

export type BitcoinMessage =
  | VersionMessage
  | VerackMessage
  | GetAddrMessage
  | AddrMessage
  | AddrV2Message
  | InvMessage
  | GetDataMessage
  | NotFoundMessage
  | GetBlocksMessage
  | GetHeadersMessage
  | HeadersMessage
  | BlockMessage
  | TxMessage
  | PingMessage
  | PongMessage
  | MempoolMessage
  | FilterLoadMessage
  | FilterAddMessage
  | FilterClearMessage
  | MerkleBlockMessage
  | RejectMessage
  | SendHeadersMessage
  | FeeFilterMessage
  | SendAddrV2Message
  | GetCFiltersMessage
  | GetCFHeadersMessage
  | GetCFCheckptMessage
  | CFilterMessage
  | CFHeadersMessage
  | CFCheckptMessage
  | WtxidRelayMessage
  | SendCmpctMessage
  | CmpctBlockMessage
  | GetBlockTxnMessage
  | BlockTxnMessage
  | AlertMessage;

export type BitcoinCommand = BitcoinMessage['command'];

export type MessageOf<C extends BitcoinCommand> = Extract<BitcoinMessage, { command: C }>;
