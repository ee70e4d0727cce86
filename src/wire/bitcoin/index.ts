import type { MessageCodec, WireFamily } from '../codec.js';
import { sha256dChecksum } from '../hash.js';
import {
  alertCodec,
  feeFilterCodec,
  filterClearCodec,
  getAddrCodec,
  mempoolCodec,
  pingCodec,
  pongCodec,
  rejectCodec,
  sendAddrV2Codec,
  sendHeadersCodec,
  verackCodec,
  versionCodec,
  wtxidRelayCodec,
} from './control.js';

const codecs: MessageCodec[] = [
  versionCodec,
  verackCodec,
  getAddrCodec,
  mempoolCodec,
  sendHeadersCodec,
  sendAddrV2Codec,
  wtxidRelayCodec,
  filterClearCodec,
  pingCodec,
  pongCodec,
  feeFilterCodec,
  rejectCodec,
  alertCodec,
] as MessageCodec[];

export const bitcoinFamily: WireFamily = {
  name: 'bitcoin',
  checksum: sha256dChecksum,
  commandAlphabet: 'utf8',
  codecs: new Map(codecs.map((codec) => [codec.command, codec])),
};
