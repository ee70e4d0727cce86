import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Independent implementations installed by test/interop/install-partners.sh, never library dependencies. */
export type PartnerName = 'bcoin' | 'bitcore-p2p' | 'python-bitcoinlib' | 'litecoind';

const partnersDir = fileURLToPath(new URL('../partners/', import.meta.url));
export const INSTALL_COMMAND = 'bash test/interop/install-partners.sh';

function requireFrom(folder: string): NodeJS.Require {
  return createRequire(`${partnersDir}${folder}/package.json`);
}

/** A module installed in a partner's folder (e.g. bcoin's own bloom filter library). */
export function requireFromPartner(folder: 'bcoin' | 'bitcore', id: string): any {
  return requireFrom(folder)(id);
}

/** bcoin 1.0.2 (CommonJS), or undefined when it is not installed. */
export function loadBcoin(): BcoinModule | undefined {
  if (!existsSync(`${partnersDir}bcoin/node_modules/bcoin`)) return undefined;
  return requireFrom('bcoin')('bcoin') as BcoinModule;
}

/** bitcore-p2p 10.10.7 with bitcore-lib, or undefined when not installed. */
export function loadBitcoreP2P(): { p2p: any; bitcore: any } | undefined {
  if (!existsSync(`${partnersDir}bitcore/node_modules/bitcore-p2p`)) return undefined;
  // Its `buffers` dependency calls Buffer#get, which Node removed long ago.
  const proto = Buffer.prototype as unknown as { get?: (index: number) => number };
  if (!proto.get) {
    proto.get = function get(this: Buffer, index: number) {
      return this[index]!;
    };
  }
  const load = requireFrom('bitcore');
  return { p2p: load('bitcore-p2p'), bitcore: load('bitcore-lib') };
}

/** Debian's python3 with python-bitcoinlib, or undefined. */
export function pythonBitcoinlib(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import bitcoin.messages'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/**
 * The skip option for a test that needs `partner`: a reason with the install command when it is
 * missing on a developer machine; false in CI, where a missing partner must fail the test instead.
 */
export function skipUnless(available: boolean, partner: PartnerName): false | string {
  if (available || process.env.CI === 'true') return false;
  return `${partner} is not installed; run ${INSTALL_COMMAND}`;
}

export type BcoinModule = any;
