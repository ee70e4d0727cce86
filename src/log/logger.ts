import winston from 'winston';

/** The levels peerchart logs at; `trace` carries hexdumps of raw frames. */
export const LOG_LEVELS = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 } as const;
export type LogLevel = keyof typeof LOG_LEVELS;

/** What the library needs from a logger: a winston logger fits; so does anything with `log`. */
export interface PeerLogger {
  log(level: LogLevel, message: string, meta?: Record<string, unknown>): void;
  isLevelEnabled?(level: LogLevel): boolean;
}

/** A console logger with peerchart's levels, for the CLI and for applications that want one. */
export function createLogger(level: LogLevel = 'info', json = false): winston.Logger {
  return winston.createLogger({
    levels: LOG_LEVELS,
    level,
    format: json
      ? winston.format.json()
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.printf(({ level: lvl, message, timestamp, ...meta }) => {
            const extra = Object.keys(meta).length ? ` ${JSON.stringify(meta, bigintReplacer)}` : '';
            return `${timestamp} ${lvl.padEnd(5)} ${message}${extra}`;
          }),
        ),
    transports: [new winston.transports.Console({ stderrLevels: Object.keys(LOG_LEVELS) })],
  });
}

export function bigintReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

/** Classic 16-bytes-per-line hexdump for trace logging. */
export function hexdump(bytes: Uint8Array, maxBytes = 512): string {
  const lines: string[] = [];
  const end = Math.min(bytes.length, maxBytes);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${text}|`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes`);
  return lines.join('\n');
}
