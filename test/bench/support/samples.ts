/** Deterministic sample messages for the benchmarks. */
import type { Transaction } from '../../../src/wire/bitcoin/types.js';
import type { Message } from '../../../src/wire/message.js';

export function filled(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return bytes;
}

export function transaction(seed: number): Transaction {
  return {
    version: 2,
    inputs: [0, 1].map((i) => ({
      previousOutput: { hash: filled(32, seed + i), index: i },
      script: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [filled(71, seed), filled(33, seed + 1)],
    })),
    outputs: [0, 1].map((i) => ({ value: BigInt(10_000 + seed + i), script: filled(22, seed + i) })),
    lockTime: 0,
  };
}

/** Transactions of `transaction()` (370 bytes each) that make a block of 1 MiB. */
export const ONE_MIB_OF_TRANSACTIONS = 2834;

/** ~0.85 MB by default: 2,300 two-in, two-out segwit transactions of 370 bytes. */
export function bigBlock(count = 2300): Message {
  const transactions = Array.from({ length: count }, (_, i) => transaction(i));
  return {
    command: 'block',
    header: {
      version: 0x20000000,
      prevBlock: filled(32, 1),
      merkleRoot: filled(32, 2),
      timestamp: 1,
      bits: 0x207fffff,
      nonce: 3,
    },
    transactions,
  };
}
