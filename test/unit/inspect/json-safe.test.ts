import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { createActor, createMachine } from 'xstate';
import { toJsonSafe } from '../../../src/inspect/json-safe.js';

describe('toJsonSafe', () => {
  it('writes bigints as decimal strings and bytes as hex', () => {
    const safe = toJsonSafe({
      nonce: 18446744073709551615n,
      hash: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
      buffer: Buffer.from('0001', 'hex'),
    });
    assert.deepEqual(safe, { nonce: '18446744073709551615', hash: 'deadbeef', buffer: '0001' });
  });

  it('cuts long byte arrays, saying how long they were', () => {
    const safe = toJsonSafe(new Uint8Array(1000).fill(0xab), {
      maxDepth: 8,
      maxArray: 32,
      maxBytes: 4,
      maxString: 1024,
    });
    assert.equal(safe, 'abababab…(1000 bytes)');
  });

  it('drops functions, symbols, undefined and actor refs; names other class instances', () => {
    const actor = createActor(createMachine({ id: 'tiny' }));
    const safe = toJsonSafe({
      callback: () => 1,
      symbol: Symbol('s'),
      missing: undefined,
      ref: actor,
      socket: new Duplex(),
      list: [() => 1, 2],
      kept: 'yes',
    });
    assert.deepEqual(safe, { socket: '[Duplex]', list: [null, 2], kept: 'yes' });
  });

  it('caps long arrays at maxArray entries, the last one a marker', () => {
    const safe = toJsonSafe(
      Array.from({ length: 100 }, (_, i) => i),
      { maxDepth: 8, maxArray: 5, maxBytes: 64, maxString: 1024 },
    ) as unknown[];
    assert.deepEqual(safe, [0, 1, 2, 3, '…(+96 more)']);
  });

  it('cuts cycles and deep nesting, and keeps __proto__ keys as data', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    assert.deepEqual(toJsonSafe(cyclic), { name: 'loop', self: '[circular]' });
    const deep = toJsonSafe(
      { a: { b: { c: 1 } } },
      { maxDepth: 2, maxArray: 32, maxBytes: 64, maxString: 9 },
    );
    assert.deepEqual(deep, { a: { b: '[…]' } });
    const hostile = toJsonSafe(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(hostile), Object.prototype);
    assert.equal(JSON.stringify(hostile), '{"__proto__":{"polluted":true}}');
  });

  it('keeps Map, Set, Date, Error and non-finite numbers readable', () => {
    const safe = toJsonSafe({
      map: new Map([['k', 1n]]),
      set: new Set([1, 2]),
      date: new Date(0),
      error: Object.assign(new Error('boom'), { code: 'E_X' }),
      nan: Number.NaN,
    });
    assert.deepEqual(safe, {
      map: { k: '1' },
      set: [1, 2],
      date: '1970-01-01T00:00:00.000Z',
      error: { name: 'Error', message: 'boom', code: 'E_X' },
      nan: 'NaN',
    });
  });

  it('changes nothing when applied to its own output', () => {
    const limits = { maxDepth: 3, maxArray: 4, maxBytes: 2, maxString: 16 };
    const once = toJsonSafe(
      {
        bytes: new Uint8Array(10),
        list: [1, 2, 3, 4, 5, 6],
        text: 'x'.repeat(40),
        deep: { a: { b: { c: {} } } },
        n: 5n,
      },
      limits,
    );
    assert.deepEqual(toJsonSafe(JSON.parse(JSON.stringify(once)), limits), once);
  });
});
