import { PresizedMap } from '../../src/presized-map.js';
import { checkInvariants } from '../../src/invariants.js';
import { deviceKey } from './support.js';

describe('lookups take the search of their key type', () => {
  test('int32 values, other numbers and strings in one map find only their own key', () => {
    const keys: (string | number)[] = [1, '1', 0, '0', -(2 ** 31), 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 1.5, NaN];
    const map = new PresizedMap<string | number, unknown>({ seed: 11 });
    expect(map.get(1)).toBeUndefined();
    expect(map.get('1')).toBeUndefined();
    expect(map.has(2 ** 31)).toBe(false);
    keys.forEach((key, i) => map.set(key, `value ${i}`));
    // Held under a key, undefined is a value: get returns it, has tells it from an absent key.
    map.set('undefined value', undefined);
    keys.forEach((key, i) => expect([key, map.get(key)]).toEqual([key, `value ${i}`]));
    expect(map.get(-0)).toBe('value 2');
    expect(map.get('undefined value')).toBeUndefined();
    expect(map.has('undefined value')).toBe(true);
    for (const absent of [2, '2', 2 ** 32, -1.5, 'NaN', '']) {
      expect([absent, map.get(absent), map.has(absent)]).toEqual([absent, undefined, false]);
    }
  });
});

describe('number keys compare like Map keys (SameValueZero)', () => {
  test('0 and -0 are one key, stored as +0', () => {
    const map = new PresizedMap<number, string>({ seed: 1 });
    map.set(-0, 'minus zero');
    expect(map.get(0)).toBe('minus zero');
    expect(map.has(-0)).toBe(true);
    map.set(0, 'zero');
    expect(map.size).toBe(1);
    const [key] = [...map.keys()];
    expect(Object.is(key, 0)).toBe(true);
    expect(map.delete(-0)).toBe(true);
    expect(map.size).toBe(0);
  });

  test('NaN finds NaN, whatever its bit pattern', () => {
    const map = new PresizedMap<number, string>({ seed: 2 });
    const otherNaN = new Float64Array(new Uint32Array([1, 0x7ff00001]).buffer)[0]!;
    expect(Number.isNaN(otherNaN)).toBe(true);
    map.set(NaN, 'nan');
    expect(map.get(otherNaN)).toBe('nan');
    map.set(otherNaN, 'other');
    expect(map.size).toBe(1);
    expect(map.get(NaN)).toBe('other');
    expect(map.delete(0 / 0)).toBe(true);
    expect(map.has(NaN)).toBe(false);
  });

  test('floats, large integers, infinities and the string forms of numbers are distinct keys', () => {
    const map = new PresizedMap<string | number, number>({ seed: 3 });
    const keys: (string | number)[] = [
      0.1,
      0.2,
      0.1 + 0.2,
      0.3,
      2 ** 31,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 53,
      2 ** 53 - 1,
      -(2 ** 53),
      1e300,
      5e-324,
      Infinity,
      -Infinity,
      Number.MAX_VALUE,
      1,
      '1',
      '0',
      0,
      'NaN',
      NaN,
      '',
      'Infinity',
    ];
    keys.forEach((key, i) => map.set(key, i));
    expect(map.size).toBe(keys.length);
    keys.forEach((key, i) => expect(map.get(key)).toBe(i));
    expect(map.get(2 ** 53 + 1)).toBe(map.get(2 ** 53));
    expect(map.has('2147483648')).toBe(false);
    checkInvariants(map);
  });

  test('many integer and float keys spread over the buckets and survive growth', () => {
    const map = new PresizedMap<number, number>({ seed: 4 });
    const model = new Map<number, number>();
    for (let i = 0; i < 50000; i++) {
      const key = i % 3 === 0 ? i : i % 3 === 1 ? i / 7 : -i * 1e9;
      map.set(key, i);
      model.set(key, i);
    }
    expect(map.size).toBe(model.size);
    for (const [key, value] of model) expect(map.get(key)).toBe(value);
    checkInvariants(map);
  });
});

describe('the Map interface', () => {
  test('set returns the map, get/has/delete/size behave as on Map', () => {
    const map = new PresizedMap<string, number>();
    expect(map.set('a', 1)).toBe(map);
    map.set('b', 2).set('a', 3);
    expect(map.size).toBe(2);
    expect(map.get('a')).toBe(3);
    expect(map.get('c')).toBeUndefined();
    expect(map.has('b')).toBe(true);
    expect(map.delete('b')).toBe(true);
    expect(map.delete('b')).toBe(false);
    expect(map.size).toBe(1);
    map.set('u', undefined as unknown as number);
    expect(map.has('u')).toBe(true);
    expect(map.get('u')).toBeUndefined();
  });

  test('toStringTag, iterators that are iterable and MapIterator-shaped', () => {
    const map = new PresizedMap<string, number>({ seed: 5 });
    expect(Object.prototype.toString.call(map)).toBe('[object PresizedMap]');
    map.set('a', 1).set('b', 2);
    const keys = map.keys();
    expect(keys[Symbol.iterator]()).toBe(keys);
    expect(Object.prototype.toString.call(keys)).toBe('[object PresizedMap Iterator]');
    // Inherits from %IteratorPrototype%, like native iterators.
    const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;
    expect(Object.getPrototypeOf(Object.getPrototypeOf(keys))).toBe(iteratorPrototype);
    expect([...keys].sort()).toEqual(['a', 'b']);
    expect(keys.next()).toEqual({ value: undefined, done: true });
    expect([...map.values()].sort()).toEqual([1, 2]);
    expect([...map.entries()].sort()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(new Map(map)).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    expect(Array.from(map).length).toBe(2);
  });

  // Node.js 22 and later put the iterator helpers on %IteratorPrototype%.
  const helpersAvailable =
    typeof (Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as { toArray?: unknown }).toArray ===
    'function';
  (helpersAvailable ? test : test.skip)('iterator helpers of the runtime work on the iterators', () => {
    const map = new PresizedMap<string, number>({ seed: 15 });
    for (let i = 0; i < 50; i++) map.set(`k${i}`, i);
    const helpers = map.values() as unknown as { filter(f: (v: number) => boolean): { toArray(): number[] } };
    expect(
      helpers
        .filter((v) => v % 10 === 0)
        .toArray()
        .sort((a, b) => a - b),
    ).toEqual([0, 10, 20, 30, 40]);
  });

  test('forEach passes value, key and the map, with thisArg', () => {
    const map = new PresizedMap<string, number>({ seed: 6 });
    map.set('x', 10).set('y', 20);
    const calls: [number, string, unknown, unknown][] = [];
    const context = { tag: 'ctx' };
    map.forEach(function (this: unknown, value, key, m) {
      calls.push([value, key, m, this]);
    }, context);
    expect(calls.sort((a, b) => a[0] - b[0])).toEqual([
      [10, 'x', map, context],
      [20, 'y', map, context],
    ]);
  });

  test('iteration order is randomised per iteration, as in Go, and reproducible with a seed', () => {
    const orders = (seed: number): string[] => {
      const map = new PresizedMap<string, number>({ seed, hint: 200 });
      for (let i = 0; i < 200; i++) map.set(deviceKey(i), i);
      const seen = new Set<string>();
      for (let round = 0; round < 20; round++) seen.add([...map.keys()].join());
      return [...seen];
    };
    const first = orders(77);
    expect(first.length).toBeGreaterThan(10);
    expect(orders(77)).toEqual(first);
    expect(orders(78)).not.toEqual(first);
  });

  test('an iteration started on an empty map ends at once', () => {
    const map = new PresizedMap<string, number>();
    const iterator = map.entries();
    map.set('a', 1);
    expect(iterator.next()).toEqual({ value: undefined, done: true });
  });

  test('clear keeps B and stops live iterators, even mid-growth', () => {
    const map = new PresizedMap<string, number>({ seed: 8 });
    for (let i = 0; i < 3329; i++) map.set(deviceKey(i), i);
    expect(map.stats()).toMatchObject({ B: 10, growing: true });
    const iterator = map.keys();
    for (let i = 0; i < 10; i++) expect(iterator.next().done).toBe(false);
    map.clear();
    expect(iterator.next()).toEqual({ value: undefined, done: true });
    expect(map.stats()).toMatchObject({
      size: 0,
      B: 10,
      growing: false,
      oldBuckets: 0,
      noverflow: 0,
      overflowBuckets: 0,
    });
    for (let i = 0; i < 100; i++) map.set(`again-${i}`, i);
    expect(map.stats()).toMatchObject({ size: 100, B: 10, growths: 10 });
    checkInvariants(map);
  });

  test('deleting never shrinks the map', () => {
    const map = new PresizedMap<string, number>({ seed: 9 });
    for (let i = 0; i < 10000; i++) map.set(deviceKey(i), i);
    const B = map.stats().B;
    for (let i = 0; i < 10000; i++) map.delete(deviceKey(i));
    expect(map.stats()).toMatchObject({ size: 0, B });
  });
});

describe('reseeding', () => {
  test('a delete that empties the map, and clear, draw a new hash seed', () => {
    const map = new PresizedMap<string, number>({ seed: 10 });
    const hashKeyOf = (): string => `${map['hashSeed']}:${map['hashSeedHigh']}`;
    const seeds = [hashKeyOf()];
    map.set('a', 1).set('b', 2);
    map.delete('a');
    expect(hashKeyOf()).toBe(seeds[0]);
    map.delete('b');
    seeds.push(hashKeyOf());
    map.set('c', 3);
    map.clear();
    seeds.push(hashKeyOf());
    map.delete('absent');
    expect(hashKeyOf()).toBe(seeds[2]);
    expect(new Set(seeds).size).toBe(3);
    map.set('d', 4);
    expect(map.get('d')).toBe(4);
    checkInvariants(map);
  });

  test('a map emptied by deletes during a growth stays consistent after reseeding', () => {
    const map = new PresizedMap<string, number>({ seed: 12 });
    for (let i = 0; i < 105; i++) map.set(deviceKey(i), i);
    expect(map.stats().growing).toBe(true);
    const seed = map['hashSeed'];
    const seedHigh = map['hashSeedHigh'];
    for (let i = 0; i < 105; i++) expect(map.delete(deviceKey(i))).toBe(true);
    expect([map['hashSeed'], map['hashSeedHigh']]).not.toEqual([seed, seedHigh]);
    for (let i = 0; i < 300; i++) map.set(deviceKey(i), -i);
    for (let i = 0; i < 300; i++) expect(map.get(deviceKey(i))).toBe(-i);
    checkInvariants(map);
  });

  test('maps built with the same seed lay out their buckets identically', () => {
    const build = (seed: number): Uint8Array => {
      const map = new PresizedMap<string, number>({ seed });
      for (let i = 0; i < 5000; i++) map.set(deviceKey(i), i);
      return map['tophash'].slice();
    };
    expect(build(1)).toEqual(build(1));
    expect(build(1)).not.toEqual(build(2));
  });
});
