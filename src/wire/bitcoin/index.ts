import type { MessageCodec, WireFamily } from '../codec.js';
import { sha256dChecksum } from '../hash.js';
import { addressCodecs } from './addresses.js';
import { bloomCodecs } from './bloom.js';
import { cfilterCodecs } from './cfilters.js';
import { chainCodecs } from './chain.js';
import { compactBlockCodecs } from './compact.js';
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
import { inventoryCodecs } from './inventory.js';

const controlCodecs = [
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

const codecs: MessageCodec[] = [
  ...controlCodecs,
  ...addressCodecs,
  ...inventoryCodecs,
  ...chainCodecs,
  ...bloomCodecs,
  ...cfilterCodecs,
  ...compactBlockCodecs,
];

export const bitcoinFamily: WireFamily = {
  name: 'bitcoin',
  checksum: sha256dChecksum,
  commandAlphabet: 'utf8',
  codecs: new Map(codecs.map((codec) => [codec.command, codec])),
};
