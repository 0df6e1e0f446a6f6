import fc from 'fast-check';
import { hashHigh, hashKey } from '../src/hash.js';
import { PresizedMap } from '../src/presized-map.js';
import { splitmix32 } from '../src/random.js';
import { ShardedMap } from '../src/sharded-map.js';
import { applyToBoth, readsBack, type MapOp } from './map-model.js';

type Op = MapOp<string> | { kind: 'iterate'; deleteEvery: number; insertDuring: number };

// A small key space makes updates and deletes of present keys common; the `n` keys make the
// shards grow (and evacuate incrementally) under the operations.
const keyArb = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((i) => `dev_${i}`),
  fc.integer({ min: 0, max: 3000 }).map((i) => `n${i}`),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('has' as const), key: keyArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('iterate' as const),
      deleteEvery: fc.integer({ min: 0, max: 4 }),
      insertDuring: fc.integer({ min: 0, max: 30 }),
    }),
  },
);

/** Runs of new keys so that shards cross their growth thresholds inside a sequence. */
const burstArb: fc.Arbitrary<Op[]> = fc
  .tuple(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 20, max: 400 }))
  .map(([base, n]) => Array.from({ length: n }, (_, i) => ({ kind: 'set' as const, key: `b${base + i}`, value: i })));

function checkAgainstModel(map: ShardedMap<string, number>, model: Map<string, number>): void {
  expect(map.size).toBe(model.size);
  const entries = [...map];
  expect(entries.length).toBe(model.size);
  expect(new Map(entries)).toEqual(model);
  readsBack(map, model);
  const stats = map.stats();
  expect(stats.size).toBe(model.size);
  expect(stats.shards.reduce((sum, s) => sum + s.size, 0)).toBe(model.size);
  expect(stats.buckets).toBe(stats.shards.reduce((sum, s) => sum + 2 ** s.B, 0));
  expect(stats.B).toBe(Math.max(...stats.shards.map((s) => s.B)));
  expect(stats.growing).toBe(stats.shards.some((s) => s.growing));
  expect(stats.loadFactor).toBeCloseTo(model.size / stats.buckets, 12);
  expect(stats.entryCapacity).toBe(stats.shards.reduce((sum, s) => sum + s.entryCapacity, 0));
  expect(stats.entryCapacity).toBeGreaterThanOrEqual(model.size);
  expect(stats.bucketCapacity).toBe(stats.shards.reduce((sum, s) => sum + s.bucketCapacity, 0));
}

describe('ShardedMap against a native Map', () => {
  test('random operation sequences, growth and iteration included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 16),
        fc.nat({ max: 200 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.oneof({ weight: 6, arbitrary: opArb.map((op) => [op]) }, { weight: 1, arbitrary: burstArb }), {
          maxLength: 80,
        }),
        (shards, hint, seed, batches) => {
          const map = new ShardedMap<string, number>({ shards, hint, seed, name: 'model-test' });
          const model = new Map<string, number>();
          for (const op of batches.flat()) {
            switch (op.kind) {
              case 'iterate': {
                // Deleting entries not reached yet and inserting new keys while iterating: every
                // entry present throughout is yielded exactly once, a deleted one never.
                const before = new Map(model);
                const deleted = new Set<string>();
                // A victim that is one of the keys inserted below comes back: from then on it is
                // an entry added during the iteration (yielded or not), no longer a deleted one.
                const readded = new Set<string>();
                const seen = new Map<string, number>();
                const candidates = [...before.keys()];
                let next = 0;
                let i = 0;
                for (const [key, value] of map) {
                  expect(seen.has(key)).toBe(false);
                  expect(deleted.has(key)).toBe(false);
                  seen.set(key, value);
                  if (op.deleteEvery > 0 && i % op.deleteEvery === 0) {
                    while (next < candidates.length && seen.has(candidates[next]!)) next++;
                    const victim = candidates[next++];
                    if (victim !== undefined) {
                      map.delete(victim);
                      model.delete(victim);
                      deleted.add(victim);
                    }
                  }
                  if (i < op.insertDuring) {
                    map.set(`during${i}`, i);
                    model.set(`during${i}`, i);
                    if (deleted.delete(`during${i}`)) readded.add(`during${i}`);
                  }
                  i++;
                }
                for (const [key, value] of before) {
                  if (!deleted.has(key) && !readded.has(key)) expect(seen.get(key)).toBe(value);
                }
                break;
              }
              default:
                applyToBoth(map, model, op);
            }
          }
          checkAgainstModel(map, model);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('forEach, keys and values agree with entries, and the map passes as a Map', () => {
    const sharded = new ShardedMap<string, number>({ shards: 8, seed: 3 });
    const asMap: Map<string, number> = sharded;
    for (let i = 0; i < 500; i++) asMap.set(`dev_${i}`, i);
    const fromForEach: [string, number][] = [];
    asMap.forEach((value, key, owner) => {
      expect(owner).toBe(sharded);
      fromForEach.push([key, value]);
    });
    expect(new Map(fromForEach)).toEqual(new Map([...asMap.entries()]));
    expect([...asMap.keys()].sort()).toEqual([...fromForEach.map(([k]) => k)].sort());
    expect([...asMap.values()].sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(Object.prototype.toString.call(asMap)).toBe('[object ShardedMap]');
    const it = asMap.keys();
    expect(it[Symbol.iterator]()).toBe(it);
  });
});

describe('shard selection', () => {
  test('a key lives in the shard the high hash bits 0..k-1 name, hashed with the shared seed', () => {
    const seed = 12345;
    const map = new ShardedMap<string, number>({ shards: 32, seed });
    const draw = splitmix32(seed);
    const pickerSeed = draw();
    const pickerSeedHigh = draw();
    for (let i = 0; i < 2000; i++) map.set(`dev_${i.toString(16)}`, i);
    for (let s = 0; s < map.shards; s++) {
      for (const key of map.shard(s).keys()) {
        hashKey(key, pickerSeed, pickerSeedHigh);
        expect(hashHigh() & 31).toBe(s);
      }
    }
  });

  test('shards sized hint/shards hold their share without growth or overflow pile-up', () => {
    // If the shard came from bits the shards index buckets with, each shard would use 1/16 of its
    // buckets, pile up overflow buckets and grow; with disjoint bits none grows.
    const map = new ShardedMap<string, number>({ shards: 16, hint: 160_000, seed: 99 });
    for (let i = 0; i < 160_000; i++) map.set(`dev_${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16)}`, i);
    const stats = map.stats();
    expect(stats.shards.map((s) => s.B)).toEqual(new Array(16).fill(11));
    expect(stats.growths).toBe(0);
    expect(stats.sameSizeGrowths).toBe(0);
    for (const shard of stats.shards) {
      expect(shard.size).toBeGreaterThan(9_500);
      expect(shard.size).toBeLessThan(10_500);
      expect(shard.overflowBuckets).toBeLessThan(shard.buckets / 8);
    }
  });

  test('each shard is a PresizedMap publishing under the sharded map name', () => {
    const map = new ShardedMap<number, string>({ shards: 4, hint: 1000, name: 'device-logs' });
    for (let s = 0; s < 4; s++) {
      expect(map.shard(s)).toBeInstanceOf(PresizedMap);
      expect(map.shard(s).name).toBe('device-logs');
      expect(map.shard(s).hint).toBe(250);
    }
    expect(() => map.shard(4)).toThrow(/shard index .* got 4/);
  });

  test('unnamed sharded maps get distinct default names, even from two copies of the package', () => {
    let Copy: typeof ShardedMap | undefined;
    jest.isolateModules(() => {
      Copy = (jest.requireActual('../src/sharded-map') as { ShardedMap: typeof ShardedMap }).ShardedMap;
    });
    expect(Copy).not.toBe(ShardedMap);
    const names = [new ShardedMap().name, new Copy!().name, new ShardedMap().name, new Copy!().name];
    expect(names.every((name) => /^sharded-map-\d+$/.test(name))).toBe(true);
    expect(new Set(names).size).toBe(4);
  });

  test('number keys shard and round-trip like in a Map', () => {
    const map = new ShardedMap<number, number>({ shards: 4, seed: 1 });
    const keys = [0, -0, 1, -1, 2 ** 31, 0.5, Number.NaN, Number.MAX_VALUE, -Infinity];
    for (const [i, k] of keys.entries()) map.set(k, i);
    const model = new Map(keys.map((k, i) => [k, i]));
    expect(map.size).toBe(model.size);
    for (const k of keys) expect(map.get(k)).toBe(model.get(k));
  });
});

describe('bad options', () => {
  test.each([0, 3, 12, -4, 1.5, Number.NaN, 2 ** 17, '8'])('shards %p is a RangeError naming it', (shards) => {
    expect(() => new ShardedMap({ shards: shards as number })).toThrow(RangeError);
    const named = typeof shards === 'string' ? `got "${shards}" (string)` : `got ${String(shards)}`;
    expect(() => new ShardedMap({ shards: shards as number })).toThrow(named);
  });

  test.each([-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY])('hint %p is a RangeError naming it', (hint) => {
    expect(() => new ShardedMap({ hint })).toThrow(RangeError);
    expect(() => new ShardedMap({ hint })).toThrow(`got ${String(hint)}`);
  });

  test('a hint too large per shard says how many per shard and what to do', () => {
    expect(() => new ShardedMap({ hint: 2 ** 40, shards: 16 })).toThrow(/per shard.*use more shards/);
  });
});
