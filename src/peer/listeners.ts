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
import type {
  CFiltersV2Message,
  CFilterV2Message,
  CFTypesMessage,
  DecredAddrV2Message,
  DecredBlockMessage,
  DecredCFHeadersMessage,
  DecredCFilterMessage,
  DecredGetCFHeadersMessage,
  DecredHeadersMessage,
  DecredMessageOf,
  DecredTxMessage,
  GetCFilterMessage,
  GetCFiltersV2Message,
  GetCFilterV2Message,
  GetCFTypesMessage,
  GetInitStateMessage,
  GetMiningStateMessage,
  InitStateMessage,
  MiningStateMessage,
} from '../wire/decred/types.js';
import type { DecredWireMessage, Message } from '../wire/message.js';

type Listener<M, P> = (peer: P, message: M) => void;

/** dcrd's listeners for messages only Decred has (a Bitcoin peer never decodes these commands). */
export interface DecredOnlyListeners<P = unknown> {
  onGetMiningState?: Listener<GetMiningStateMessage, P>;
  onMiningState?: Listener<MiningStateMessage, P>;
  onGetCFilter?: Listener<GetCFilterMessage, P>;
  onGetCFTypes?: Listener<GetCFTypesMessage, P>;
  onCFTypes?: Listener<CFTypesMessage, P>;
  onGetCFilterV2?: Listener<GetCFilterV2Message, P>;
  onCFilterV2?: Listener<CFilterV2Message, P>;
  onGetCFsV2?: Listener<GetCFiltersV2Message, P>;
  onCFiltersV2?: Listener<CFiltersV2Message, P>;
  onGetInitState?: Listener<GetInitStateMessage, P>;
  onInitState?: Listener<InitStateMessage, P>;
  onMixPairReq?: Listener<DecredMessageOf<'mixpairreq'>, P>;
  onMixKeyExchange?: Listener<DecredMessageOf<'mixkeyxchg'>, P>;
  onMixCiphertexts?: Listener<DecredMessageOf<'mixcphrtxt'>, P>;
  onMixSlotReserve?: Listener<DecredMessageOf<'mixslotres'>, P>;
  onMixFactoredPoly?: Listener<DecredMessageOf<'mixfactpoly'>, P>;
  onMixDCNet?: Listener<DecredMessageOf<'mixdcnet'>, P>;
  onMixConfirm?: Listener<DecredMessageOf<'mixconfirm'>, P>;
  onMixSecrets?: Listener<DecredMessageOf<'mixsecrets'>, P>;
}

/** btcd's MessageListeners, one optional callback per message, plus OnRead/OnWrite and a catch-all. */
export interface PeerListeners<P = unknown> extends DecredOnlyListeners<P> {
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
  // dcrd's own commands.
  ['getminings', 'onGetMiningState'],
  ['miningstate', 'onMiningState'],
  ['getcfilter', 'onGetCFilter'],
  ['getcftypes', 'onGetCFTypes'],
  ['cftypes', 'onCFTypes'],
  ['getcfilterv2', 'onGetCFilterV2'],
  ['cfilterv2', 'onCFilterV2'],
  ['getcfsv2', 'onGetCFsV2'],
  ['cfiltersv2', 'onCFiltersV2'],
  ['getinitstate', 'onGetInitState'],
  ['initstate', 'onInitState'],
  ['mixpairreq', 'onMixPairReq'],
  ['mixkeyxchg', 'onMixKeyExchange'],
  ['mixcphrtxt', 'onMixCiphertexts'],
  ['mixslotres', 'onMixSlotReserve'],
  ['mixfactpoly', 'onMixFactoredPoly'],
  ['mixdcnet', 'onMixDCNet'],
  ['mixconfirm', 'onMixConfirm'],
  ['mixsecrets', 'onMixSecrets'],
]);

/** Commands whose listener a Decred peer calls with the Decred shape of the message. */
type DecredShaped =
  | 'onTx'
  | 'onBlock'
  | 'onHeaders'
  | 'onAddrV2'
  | 'onCFilter'
  | 'onCFHeaders'
  | 'onGetCFHeaders';

/**
 * dcrd's MessageListeners, typed with the Decred shapes of tx, block, headers, addrv2 and the v1
 * filters. Bitcoin-only listeners (bloom filters, sendaddrv2, BIP157 getcfilters/cfcheckpt, reject:
 * Decred never decodes one) are absent, and OnVersion cannot veto with a reject.
 */
export interface DecredPeerListeners<P = unknown>
  extends Omit<
      PeerListeners<P>,
      | DecredShaped
      | 'onVersion'
      | 'onSendAddrV2'
      | 'onGetCFilters'
      | 'onGetCFCheckpt'
      | 'onCFCheckpt'
      | 'onFilterAdd'
      | 'onFilterClear'
      | 'onFilterLoad'
      | 'onMerkleBlock'
      | 'onReject'
      | 'onMessage'
      | 'onRead'
    >,
    DecredOnlyListeners<P> {
  /** Returning a reject vetoes the handshake; on Decred no reject is sent, the peer just disconnects. */
  onVersion?: PeerListeners<P>['onVersion'];
  onTx?: Listener<DecredTxMessage, P>;
  /** The message keeps the exact wire payload in `raw`. */
  onBlock?: Listener<DecredBlockMessage, P>;
  onHeaders?: Listener<DecredHeadersMessage, P>;
  onAddrV2?: Listener<DecredAddrV2Message, P>;
  onCFilter?: Listener<DecredCFilterMessage, P>;
  onCFHeaders?: Listener<DecredCFHeadersMessage, P>;
  onGetCFHeaders?: Listener<DecredGetCFHeadersMessage, P>;
  onMessage?: Listener<DecredWireMessage, P>;
  onRead?: (peer: P, bytes: number, message: DecredWireMessage | undefined, error?: Error) => void;
}

/**
 * Types a Decred peer's listeners precisely; the result goes in `PeerConfig.listeners`. Dispatch is
 * by command, so the same listener names serve both families.
 */
export function decredListeners<P>(listeners: DecredPeerListeners<P>): PeerListeners<P> {
  return listeners as unknown as PeerListeners<P>;
}
