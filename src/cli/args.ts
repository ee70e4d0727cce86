import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { PeerConfig } from '../peer/config.js';
import { networkById } from '../wire/networks.js';

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {}

export const COMMON_OPTIONS = {
  network: { type: 'string', default: 'regtest' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  services: { type: 'string' },
  'protocol-version': { type: 'string' },
  'user-agent': { type: 'string' },
  'handshake-timeout': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'ping-interval': { type: 'string' },
  'trickle-interval': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export const COMMON_HELP = `common options:
  --network NAME            regtest (default), mainnet, testnet3, testnet4, signet, simnet,
                            decred-mainnet, decred-testnet3, decred-simnet, decred-regnet
  --json                    one JSON object per line on stdout
  --services N              services to advertise (decimal or 0x…)
  --protocol-version N      newest protocol version to advertise
  --user-agent NAME:VER     appended to our user agent
  --handshake-timeout MS  --idle-timeout MS  --ping-interval MS  --trickle-interval MS
  --log-level LEVEL         error, warn, info, debug, trace (logs go to stderr)
  -h, --help`;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: ParseArgsConfig['options']): ParsedArgs {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function integer(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return parsed;
}

/** The PeerConfig fields the common options set. */
export function peerConfigFrom(values: Record<string, unknown>): PeerConfig {
  const network = networkById(String(values.network));
  if (!network) throw new UsageError(`unknown network '${values.network}'`);
  const config: PeerConfig = { network };
  if (values.services !== undefined) {
    try {
      config.services = BigInt(String(values.services));
    } catch {
      throw new UsageError(`--services must be a number, got '${values.services}'`);
    }
  }
  const set = (key: keyof PeerConfig, option: string, min = 0) => {
    const value = integer(values[option] as string | undefined, option, min);
    if (value !== undefined) (config as unknown as Record<string, number>)[key] = value;
  };
  set('protocolVersion', 'protocol-version', 1);
  set('handshakeTimeoutMs', 'handshake-timeout', 1);
  set('idleTimeoutMs', 'idle-timeout', 1);
  set('pingIntervalMs', 'ping-interval', 1);
  set('trickleIntervalMs', 'trickle-interval', 1);
  if (typeof values['user-agent'] === 'string') {
    const [name, version] = values['user-agent'].split(':');
    config.userAgentName = name ?? '';
    config.userAgentVersion = version ?? '';
  }
  return config;
}

/** `host:port`, with the network's default port when the port is missing. */
export function hostPort(text: string, defaultPort: number): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(text);
  if (!match?.[1]) throw new UsageError(`expected HOST:PORT, got '${text}'`);
  return { host: match[1], port: match[2] ? Number(match[2]) : defaultPort };
}
