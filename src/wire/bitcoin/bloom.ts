import type { MessageCodec } from '../codec.js';

export const bloomCodecs: MessageCodec[] = [];
