/** How much of a value a trace line keeps. */
export interface JsonSafeLimits {
  /** Nesting below this depth becomes the string '[…]'. */
  maxDepth: number;
  /** Longer arrays keep their first `maxArray - 1` items and end with a '…(+N more)' marker. */
  maxArray: number;
  /** Longer byte arrays keep the hex of their first `maxBytes` bytes, then '…(N bytes)'. */
  maxBytes: number;
  /** Longer strings are cut to this many characters, the last one being '…'. */
  maxString: number;
}

export const defaultJsonSafeLimits: JsonSafeLimits = {
  maxDepth: 8,
  maxArray: 32,
  maxBytes: 64,
  maxString: 1024,
};

/** Limits for machine definitions: nothing is cut, a definition is only useful whole. */
export const unlimited: JsonSafeLimits = {
  maxDepth: 64,
  maxArray: Number.POSITIVE_INFINITY,
  maxBytes: Number.POSITIVE_INFINITY,
  maxString: Number.POSITIVE_INFINITY,
};

const DROP = Symbol('drop');

function hex(bytes: Uint8Array, max: number): string {
  const shown = bytes.length > max ? bytes.subarray(0, max) : bytes;
  let text = Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).toString('hex');
  if (bytes.length > max) text += `…(${bytes.length} bytes)`;
  return text;
}

/** An XState actor ref (or anything that quacks like one): never serialised. */
function isActorRef(value: object): boolean {
  const candidate = value as { sessionId?: unknown; send?: unknown };
  return typeof candidate.sessionId === 'string' && typeof candidate.send === 'function';
}

/**
 * A copy of `value` that JSON.stringify can write and that stays small: bigint → decimal string,
 * bytes → hex, functions, symbols and actor refs dropped, class instances other than the few
 * value types below replaced by '[ClassName]' (a socket is not a payload), cycles and deep
 * nesting cut. Applying it to its own output changes nothing, so a replayed trace records the same.
 *
 * `functions: 'name'` keeps functions as `{ type: name }` instead, as Stately's inspector does
 * for machine definitions (inline actions and input mappers).
 */
export function toJsonSafe(
  value: unknown,
  limits: JsonSafeLimits = defaultJsonSafeLimits,
  functions: 'drop' | 'name' = 'drop',
): unknown {
  const ancestors = new Set<object>();

  const visit = (item: unknown, depth: number): unknown => {
    switch (typeof item) {
      case 'string':
        return item.length > limits.maxString ? `${item.slice(0, limits.maxString - 1)}…` : item;
      case 'number':
        return Number.isFinite(item) ? item : String(item);
      case 'boolean':
        return item;
      case 'bigint':
        return item.toString();
      case 'function':
        return functions === 'name' ? { type: item.name || 'anonymous' } : DROP;
      case 'symbol':
      case 'undefined':
        return DROP;
    }
    if (item === null) return null;
    const object = item as object;
    if (object instanceof Uint8Array) return hex(object, limits.maxBytes);
    if (ArrayBuffer.isView(object))
      return hex(new Uint8Array(object.buffer, object.byteOffset, object.byteLength), limits.maxBytes);
    if (object instanceof ArrayBuffer) return hex(new Uint8Array(object), limits.maxBytes);
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (isActorRef(object)) return DROP;
    if (depth >= limits.maxDepth) return '[…]';
    if (ancestors.has(object)) return '[circular]';
    ancestors.add(object);
    try {
      if (object instanceof Error) {
        return visitEntries([
          ['name', object.name],
          ['message', object.message],
          ...('code' in object ? [['code', (object as { code: unknown }).code] as [string, unknown]] : []),
        ]);
      }
      if (Array.isArray(object) || object instanceof Set) {
        const items = Array.isArray(object) ? object : [...object];
        const keep = items.length > limits.maxArray ? limits.maxArray - 1 : items.length;
        const out: unknown[] = [];
        for (let i = 0; i < keep; i++) {
          const safe = visit(items[i], depth + 1);
          out.push(safe === DROP ? null : safe);
        }
        if (keep < items.length) out.push(`…(+${items.length - keep} more)`);
        return out;
      }
      if (object instanceof Map) return visit(Object.fromEntries(object), depth);
      const prototype = Object.getPrototypeOf(object);
      if (prototype !== Object.prototype && prototype !== null) {
        return `[${(object.constructor as { name?: string } | undefined)?.name || 'object'}]`;
      }
      return visitEntries(Object.entries(object));
    } finally {
      ancestors.delete(object);
    }

    function visitEntries(entries: [string, unknown][]): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of entries) {
        const safe = visit(entry, depth + 1);
        // defineProperty: a payload key named __proto__ must stay data, not become a prototype.
        if (safe !== DROP) Object.defineProperty(out, key, { value: safe, enumerable: true, writable: true });
      }
      return out;
    }
  };

  const result = visit(value, 0);
  return result === DROP ? undefined : result;
}
