import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PresizedMap } from '../../src/presized-map.js';
import { ShardedMap } from '../../src/sharded-map.js';
import { deviceKey } from './support.js';

/** %IteratorPrototype%, where Node.js 22 and later put the iterator helpers. */
const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as Record<
  string,
  unknown
>;
const HELPERS = ['map', 'filter', 'take', 'drop', 'flatMap', 'reduce', 'toArray', 'forEach', 'some', 'every', 'find'];
const helpersAvailable = HELPERS.every((name) => typeof iteratorPrototype[name] === 'function');

/** The iterator helpers as the running Node.js types them (absent from the es2022 lib). */
interface Helpers<T> {
  map<U>(f: (value: T, index: number) => U): Helpers<U>;
  filter(f: (value: T, index: number) => boolean): Helpers<T>;
  take(n: number): Helpers<T>;
  drop(n: number): Helpers<T>;
  flatMap<U>(f: (value: T, index: number) => Iterable<U>): Helpers<U>;
  reduce<U>(f: (sum: U, value: T, index: number) => U, initial: U): U;
  toArray(): T[];
  forEach(f: (value: T, index: number) => void): void;
  some(f: (value: T, index: number) => boolean): boolean;
  every(f: (value: T, index: number) => boolean): boolean;
  find(f: (value: T, index: number) => boolean): T | undefined;
}
const helpersOf = <T>(it: IterableIterator<T>): Helpers<T> => it as unknown as Helpers<T>;

const N = 300;
const kinds: [string, () => Map<string, number>][] = [
  ['PresizedMap', () => new PresizedMap<string, number>({ seed: 7 })],
  ['PresizedMap with a hint', () => new PresizedMap<string, number>({ hint: N, seed: 8 })],
  ['ShardedMap', () => new ShardedMap<string, number>({ shards: 4, seed: 9 })],
];

function filled(create: () => Map<string, number>, count = N): Map<string, number> {
  const map = create();
  for (let i = 0; i < count; i++) map.set(deviceKey(i), i);
  return map;
}

const sorted = <T>(values: T[]): T[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe.each(kinds)('iterators of %s', (_name, create) => {
  test('have no own property named like an iterator helper, so none is hidden', () => {
    const map = filled(create);
    for (const it of [map.keys(), map.values(), map.entries(), map[Symbol.iterator]()]) {
      for (const name of HELPERS) {
        expect(Object.prototype.hasOwnProperty.call(it, name)).toBe(false);
        expect(name in it).toBe(name in iteratorPrototype);
      }
      expect(Object.getPrototypeOf(Object.getPrototypeOf(it))).toBe(iteratorPrototype);
    }
  });

  (helpersAvailable ? describe : describe.skip)('with the iterator helpers of the running Node.js', () => {
    const map = filled(create);
    const native = new Map(map);

    test('map (the helper that a property named map used to hide)', () => {
      expect(
        sorted(
          helpersOf(map.keys())
            .map((k) => `${k}!`)
            .toArray(),
        ),
      ).toEqual(
        sorted(
          helpersOf(native.keys())
            .map((k) => `${k}!`)
            .toArray(),
        ),
      );
      expect(
        sorted(
          helpersOf(map.values())
            .map((v) => v * 2)
            .toArray(),
        ),
      ).toEqual(sorted([...native.values()].map((v) => v * 2)));
    });

    test('filter, take and drop', () => {
      expect(
        sorted(
          helpersOf(map.values())
            .filter((v) => v % 7 === 0)
            .toArray(),
        ),
      ).toEqual(sorted([...native.values()].filter((v) => v % 7 === 0)));
      const taken = helpersOf(map.keys()).take(10).toArray();
      expect(taken).toHaveLength(10);
      expect(new Set(taken).size).toBe(10);
      for (const key of taken) expect(native.has(key)).toBe(true);
      const all = [...map.keys()];
      expect(
        helpersOf(map.keys())
          .drop(N - 5)
          .toArray(),
      ).toHaveLength(5);
      expect(all).toHaveLength(N);
    });

    test('flatMap, reduce and toArray', () => {
      expect(
        sorted(
          helpersOf(map.entries())
            .flatMap(([k, v]) => [k, String(v)])
            .toArray(),
        ),
      ).toEqual(sorted([...native.entries()].flatMap(([k, v]) => [k, String(v)])));
      expect(helpersOf(map.values()).reduce((sum, v) => sum + v, 0)).toBe((N * (N - 1)) / 2);
      expect(
        sorted(
          helpersOf(map[Symbol.iterator]())
            .toArray()
            .map(([k]) => k),
        ),
      ).toEqual(sorted([...native.keys()]));
    });

    test('forEach, some, every and find', () => {
      const seen: number[] = [];
      helpersOf(map.values()).forEach((v) => seen.push(v));
      expect(sorted(seen)).toEqual(sorted([...native.values()]));
      expect(helpersOf(map.values()).some((v) => v === N - 1)).toBe(true);
      expect(helpersOf(map.values()).some((v) => v === N)).toBe(false);
      expect(helpersOf(map.values()).every((v) => v < N)).toBe(true);
      expect(helpersOf(map.values()).every((v) => v < N - 1)).toBe(false);
      expect(helpersOf(map.entries()).find(([k]) => k === deviceKey(42))).toEqual([deviceKey(42), 42]);
      expect(helpersOf(map.keys()).find((k) => k === 'absent')).toBeUndefined();
    });

    test('a helper chain keeps working while the map grows under it, each key at most once', () => {
      const growing = filled(create, 20);
      const chain = helpersOf(growing.keys()).map((k) => k.toUpperCase());
      const out: string[] = [];
      let i = 20;
      for (const k of chain as unknown as Iterable<string>) {
        out.push(k);
        // Enough writes to cross several doublings, then none, so the walk ends.
        for (let j = 0; j < 50 && i < 2000; j++, i++) growing.set(deviceKey(i), i);
      }
      expect(new Set(out).size).toBe(out.length);
      for (let k = 0; k < 20; k++) expect(out).toContain(deviceKey(k).toUpperCase());
    });
  });
});

test('the iterator module does not import the map, and reaches no private member by name', () => {
  const source = (file: string) => readFileSync(join(__dirname, '../../src', file), 'utf8');
  const iterator = source('iterator.ts');
  expect([...iterator.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['./bucket-array.js']);
  expect(iterator).not.toMatch(/\w\[['"]\w+['"]\]/);
  expect(source('sharded-map.ts')).not.toMatch(/\w\[['"]\w+['"]\]/);
});
