import type { MessageCodec } from '../codec.js';

export const inventoryCodecs: MessageCodec[] = [];
