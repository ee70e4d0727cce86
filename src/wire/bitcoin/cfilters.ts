import type { MessageCodec } from '../codec.js';

export const cfilterCodecs: MessageCodec[] = [];
