import type {
  AddrMessage,
  AddrV2Message,
  BlockMessage,
  CFCheckptMessage,
  CFHeadersMessage,
  CFilterMessage,
  FeeFilterMessage,
  FilterAddMessage,
  FilterClearMessage,
  FilterLoadMessage,
  GetAddrMessage,
  GetBlocksMessage,
  GetCFCheckptMessage,
  GetCFHeadersMessage,
  GetCFiltersMessage,
  GetDataMessage,
  GetHeadersMessage,
  HeadersMessage,
  InvMessage,
  MempoolMessage,
  MerkleBlockMessage,
  NotFoundMessage,
  PingMessage,
  PongMessage,
  RejectMessage,
  SendHeadersMessage,
  TxMessage,
  VersionMessage,
} from '../wire/bitcoin/types.js';
import type { Message } from '../wire/message.js';

type Listener<M, P> = (peer: P, message: M) => void;

/** btcd's MessageListeners, one optional callback per message, plus OnRead/OnWrite and a catch-all. */
export interface PeerListeners<P = unknown> {
  /** May veto the handshake by returning a reject (sent to the remote before disconnecting). */
  onVersion?: (peer: P, message: VersionMessage) => RejectMessage | undefined | undefined;
  onVerAck?: (peer: P) => void;
  onSendAddrV2?: (peer: P) => void;
  onGetAddr?: Listener<GetAddrMessage, P>;
  onAddr?: Listener<AddrMessage, P>;
  onAddrV2?: Listener<AddrV2Message, P>;
  onPing?: Listener<PingMessage, P>;
  onPong?: Listener<PongMessage, P>;
  onMemPool?: Listener<MempoolMessage, P>;
  onTx?: Listener<TxMessage, P>;
  /** The message keeps the exact wire payload in `raw`, like btcd's OnBlock buffer. */
  onBlock?: Listener<BlockMessage, P>;
  onInv?: Listener<InvMessage, P>;
  onHeaders?: Listener<HeadersMessage, P>;
  onNotFound?: Listener<NotFoundMessage, P>;
  onGetData?: Listener<GetDataMessage, P>;
  onGetBlocks?: Listener<GetBlocksMessage, P>;
  onGetHeaders?: Listener<GetHeadersMessage, P>;
  onGetCFilters?: Listener<GetCFiltersMessage, P>;
  onGetCFHeaders?: Listener<GetCFHeadersMessage, P>;
  onGetCFCheckpt?: Listener<GetCFCheckptMessage, P>;
  onCFilter?: Listener<CFilterMessage, P>;
  onCFHeaders?: Listener<CFHeadersMessage, P>;
  /** Never called by btcd (a missing dispatch case); called here. */
  onCFCheckpt?: Listener<CFCheckptMessage, P>;
  onFeeFilter?: Listener<FeeFilterMessage, P>;
  onFilterAdd?: Listener<FilterAddMessage, P>;
  onFilterClear?: Listener<FilterClearMessage, P>;
  onFilterLoad?: Listener<FilterLoadMessage, P>;
  onMerkleBlock?: Listener<MerkleBlockMessage, P>;
  onReject?: Listener<RejectMessage, P>;
  onSendHeaders?: Listener<SendHeadersMessage, P>;
  /** Every message after the handshake (and the tolerated early ones), including those without a listener. */
  onMessage?: Listener<Message, P>;
  /** Every read attempt: bytes, the message (undefined on error), the error. */
  onRead?: (peer: P, bytes: number, message: Message | undefined, error?: Error) => void;
  /** Every frame written: bytes and the command. */
  onWrite?: (peer: P, bytes: number, command: string) => void;
}

/** Which listener a command goes to. A Map: commands are never used as plain-object keys. */
export const LISTENER_BY_COMMAND: ReadonlyMap<string, keyof PeerListeners> = new Map<
  string,
  keyof PeerListeners
>([
  ['getaddr', 'onGetAddr'],
  ['addr', 'onAddr'],
  ['addrv2', 'onAddrV2'],
  ['ping', 'onPing'],
  ['pong', 'onPong'],
  ['mempool', 'onMemPool'],
  ['tx', 'onTx'],
  ['block', 'onBlock'],
  ['inv', 'onInv'],
  ['headers', 'onHeaders'],
  ['notfound', 'onNotFound'],
  ['getdata', 'onGetData'],
  ['getblocks', 'onGetBlocks'],
  ['getheaders', 'onGetHeaders'],
  ['getcfilters', 'onGetCFilters'],
  ['getcfheaders', 'onGetCFHeaders'],
  ['getcfcheckpt', 'onGetCFCheckpt'],
  ['cfilter', 'onCFilter'],
  ['cfheaders', 'onCFHeaders'],
  ['cfcheckpt', 'onCFCheckpt'],
  ['feefilter', 'onFeeFilter'],
  ['filteradd', 'onFilterAdd'],
  ['filterclear', 'onFilterClear'],
  ['filterload', 'onFilterLoad'],
  ['merkleblock', 'onMerkleBlock'],
  ['reject', 'onReject'],
  ['sendheaders', 'onSendHeaders'],
]);
