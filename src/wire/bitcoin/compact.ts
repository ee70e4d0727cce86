import type { MessageCodec } from '../codec.js';

export const compactBlockCodecs: MessageCodec[] = [];
