import type { MessageCodec } from '../codec.js';

export const addressCodecs: MessageCodec[] = [];
