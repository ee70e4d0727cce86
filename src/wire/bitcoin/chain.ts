import type { MessageCodec } from '../codec.js';

export const chainCodecs: MessageCodec[] = [];
