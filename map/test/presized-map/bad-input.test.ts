import { BoundedList, MAX_BOUNDED_CAPACITY, appendBounded } from '../../src/bounded-list.js';
import { bucketsForHint, planCapacity, type CapacityInput } from '../../src/planner.js';
import { PresizedMap } from '../../src/presized-map.js';
import { ShardedMap } from '../../src/sharded-map.js';
import { MAX_HINT } from '../../src/sizing.js';

/** Values a JavaScript caller can pass as a key, with the words the error must name them by. */
const badKeys: [string, unknown, RegExp][] = [
  ['an object', { id: 1 }, /got an object$/],
  ['an array', ['a'], /got an array$/],
  ['undefined', undefined, /got undefined$/],
  ['null', null, /got null$/],
  ['a boolean', true, /got true \(boolean\)$/],
  ['a symbol', Symbol('device'), /got Symbol\(device\) \(symbol\)$/],
  ['a bigint', 12n, /got 12n \(bigint\)$/],
  ['a function', () => 1, /got a function$/],
];

type AnyMap = Map<string | number, number>;
const operations: [string, (map: AnyMap, key: unknown) => unknown][] = [
  ['set', (map, key) => map.set(key as string, 1)],
  ['get', (map, key) => map.get(key as string)],
  ['has', (map, key) => map.has(key as string)],
  ['delete', (map, key) => map.delete(key as string)],
];

describe.each([
  ['PresizedMap', (): AnyMap => new PresizedMap<string | number, number>({ seed: 1 })],
  ['ShardedMap', (): AnyMap => new ShardedMap<string | number, number>({ shards: 4, seed: 1 })],
])('%s keys', (owner, create) => {
  test.each(badKeys)(
    `%s key is a TypeError naming ${owner} and the key, in an empty and a full map`,
    (_what, key, named) => {
      for (const [operation, run] of operations) {
        for (const filled of [false, true]) {
          const map = create();
          if (filled) for (let i = 0; i < 100; i++) map.set(`dev_${i}`, i).set(i, i);
          const sizeBefore = map.size;
          let thrown: unknown;
          try {
            run(map, key);
          } catch (error) {
            thrown = error;
          }
          expect({ operation, filled, error: thrown }).toEqual({ operation, filled, error: expect.any(TypeError) });
          expect((thrown as Error).message).toMatch(new RegExp(`^${owner}: keys must be strings or numbers, `));
          expect((thrown as Error).message).toMatch(named);
          // Nothing stored, and the map works on.
          expect(map.size).toBe(sizeBefore);
          map.set('after', 7);
          expect(map.get('after')).toBe(7);
        }
      }
    },
  );

  test('a refused set on a new map allocates no table', () => {
    const map = new PresizedMap<string, number>();
    expect(() => map.set({} as unknown as string, 1)).toThrow(TypeError);
    expect(map['buckets']).toBeNull();
  });

  test('every number and every string is a key, as in Map', () => {
    const map = create();
    const keys: (string | number)[] = [
      '',
      '\uD800',
      'x'.repeat(1000),
      0,
      NaN,
      Infinity,
      -Infinity,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      2 ** 53,
      -1.5,
    ];
    keys.forEach((key, i) => map.set(key, i));
    keys.forEach((key, i) => expect(map.get(key)).toBe(i));
    map.set(-0, 99);
    expect(map.get(0)).toBe(99);
    expect(map.size).toBe(keys.length);
  });
});

describe('constructor options', () => {
  test.each([
    [null, /PresizedMap: options must be an object, got null/],
    [5, /PresizedMap: options must be an object, got 5/],
    ['big', /PresizedMap: options must be an object, got "big" \(string\)/],
    [{ size: 100 }, /PresizedMap: unknown option "size" \(options: hint, name, seed, random\)/],
    [{ hint: '100' }, /PresizedMap: hint must be an integer from 0 to 2147483648, got "100" \(string\)/],
    [{ hint: -1 }, /got -1/],
    [{ hint: 1.5 }, /got 1.5/],
    [{ hint: MAX_HINT + 1 }, /got 2147483649/],
    [{ hint: 10n }, /got 10n \(bigint\)/],
    [{ seed: -1 }, /PresizedMap: seed must be an integer from 0 to 4294967295, got -1/],
    [{ seed: 2 ** 32 }, /got 4294967296/],
    [{ seed: null }, /got null/],
    [{ name: 5 }, /PresizedMap: name must be a string, got number/],
    [{ random: 0.5 }, /PresizedMap: random must be a function, got number/],
  ])('PresizedMap(%p) is refused by name', (options, message) => {
    expect(() => new PresizedMap(options as never)).toThrow(message);
  });

  test.each([
    [null, /ShardedMap: options must be an object, got null/],
    [{ shard: 8 }, /ShardedMap: unknown option "shard" \(options: hint, shards, name, seed\)/],
    [{ shards: '8' }, /ShardedMap: shards must be a power of two from 1 to 65536, got "8" \(string\)/],
    [{ shards: 6 }, /got 6/],
    [{ hint: -5 }, /ShardedMap: hint must be a whole number from 0 up, got -5/],
    [{ hint: Symbol('x') }, /got Symbol\(x\) \(symbol\)/],
    [{ seed: 1.5 }, /ShardedMap: seed must be an integer from 0 to 4294967295, got 1.5/],
    [{ name: {} }, /ShardedMap: name must be a string, got object/],
  ])('ShardedMap(%p) is refused by name', (options, message) => {
    expect(() => new ShardedMap(options as never)).toThrow(message);
  });

  test('a hint whose table the heap cannot hold is refused before anything is allocated', () => {
    // 250,000,000 entries need about 7 GiB, more than any default heap; the process goes on.
    const before = process.memoryUsage().heapUsed;
    expect(() => new PresizedMap({ hint: 250_000_000 })).toThrow(
      /^PresizedMap: hint 250000000 needs [\d,]+ MiB for its table, more than the [\d,]+ MiB left in the heap \(limit [\d,]+ MiB\); give node a larger --max-old-space-size or a smaller hint$/,
    );
    expect(() => new ShardedMap({ hint: 2_000_000_000, shards: 16 })).toThrow(
      /^ShardedMap: hint 2000000000 needs [\d,]+ MiB for its table/,
    );
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 2 ** 20);
    expect(new PresizedMap({ hint: 100_000 }).stats().B).toBe(14);
  });
});

describe('BoundedList capacity', () => {
  test.each([
    [0, RangeError, /got 0$/],
    [-1, RangeError, /got -1$/],
    [1.5, RangeError, /got 1.5$/],
    [Number.NaN, RangeError, /got NaN$/],
    [Number.POSITIVE_INFINITY, RangeError, /got Infinity$/],
    [MAX_BOUNDED_CAPACITY + 1, RangeError, /got 16777217$/],
    [1e8, RangeError, /got 100000000$/],
    [1e9, RangeError, /got 1000000000$/],
    ['8', TypeError, /got "8" \(string\)$/],
    [null, TypeError, /got null$/],
    [undefined, TypeError, /got undefined$/],
    [8n, TypeError, /got 8n \(bigint\)$/],
  ])('capacity %p is a %p naming BoundedList, its maximum and the value', (capacity, type, named) => {
    expect(() => new BoundedList(capacity as number)).toThrow(type);
    expect(() => new BoundedList(capacity as number)).toThrow(
      /^BoundedList: capacity must be an integer from 1 to 16777216, got /,
    );
    expect(() => new BoundedList(capacity as number)).toThrow(named);
    expect(() => appendBounded(new Map(), 'dev_1', 'line', capacity as number)).toThrow(named);
  });

  test('the maximum itself is accepted', () => {
    const list = new BoundedList<number>(MAX_BOUNDED_CAPACITY);
    list.push(1);
    expect(list.toArray()).toEqual([1]);
  });
});

describe('planner inputs', () => {
  test.each([
    [undefined, TypeError, /^planCapacity: needs an object with peakQps, retentionSeconds and keysPerRequest$/],
    [null, TypeError, /^planCapacity: options must be an object, got null$/],
    [{ peakQps: 10, retentionSeconds: 60, keysPerRequest: 1, keys: 5 }, TypeError, /unknown option "keys"/],
    [
      { peakQps: '10', retentionSeconds: 60, keysPerRequest: 1 },
      RangeError,
      /peakQps must be a finite number above 0, got "10" \(string\)/,
    ],
    [{ peakQps: 10, retentionSeconds: -1, keysPerRequest: 1 }, RangeError, /retentionSeconds .* got -1/],
    [{ peakQps: 10, retentionSeconds: 60, keysPerRequest: Infinity }, RangeError, /keysPerRequest .* got Infinity/],
    [{ peakQps: 10, retentionSeconds: 60, keysPerRequest: 1, headroom: 0.5 }, RangeError, /headroom .* got 0.5/],
    [
      { peakQps: 10, retentionSeconds: 60, keysPerRequest: 1, keyPopulation: 1.5 },
      RangeError,
      /keyPopulation .* got 1.5/,
    ],
  ])('planCapacity(%p) is refused by name', (input, type, message) => {
    expect(() => planCapacity(input as unknown as CapacityInput)).toThrow(type);
    expect(() => planCapacity(input as unknown as CapacityInput)).toThrow(message);
  });

  test.each([
    ['12', TypeError, /got "12" \(string\)/],
    [-3, RangeError, /got -3/],
    [MAX_HINT + 1, RangeError, /got 2147483649/],
  ])('bucketsForHint(%p) is refused by name', (hint, type, message) => {
    expect(() => bucketsForHint(hint as number)).toThrow(type);
    expect(() => bucketsForHint(hint as number)).toThrow(message);
  });
});
