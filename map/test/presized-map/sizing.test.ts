import { PresizedMap } from '../../src/presized-map.js';
import { checkInvariants } from '../../src/invariants.js';
import { ENTRY_BITS, MIN_TOP_HASH, ROW_WORDS, entryAt, topAt } from '../../src/bucket-array.js';
import { ENTRY_CHUNK_MASK } from '../../src/entry-store.js';
import { hashString } from '../../src/hash.js';
import { MAX_ENTRIES, bucketShiftForHint, overLoadFactor } from '../../src/sizing.js';
import { deviceKey, recordEvents } from './support.js';

describe('hint to B, as Go makemap chooses it (spec section 10)', () => {
  test.each([
    [0, 0],
    [1, 0],
    [8, 0],
    [9, 1],
    [13, 1],
    [14, 2],
    [5000, 10],
    [6656, 10],
    [6657, 11],
    [120000, 15],
    [150000, 15],
    [200000, 15],
    [212992, 15],
    [212993, 16],
  ])('hint %i gives B = %i', (hint, B) => {
    const map = new PresizedMap<string, number>({ hint });
    expect(map.stats()).toMatchObject({ B, buckets: 2 ** B, hint, size: 0, growing: false });
    expect(bucketShiftForHint(hint)).toBe(B);
  });

  test('B is the smallest that the hint does not overload', () => {
    for (let hint = 0; hint < 20000; hint += 7) {
      const B = bucketShiftForHint(hint);
      expect(overLoadFactor(hint, B)).toBe(false);
      if (B > 0) expect(overLoadFactor(hint, B - 1)).toBe(true);
    }
  });

  test('overLoadFactor is count > 8 and count > 13 * floor(2^B / 2)', () => {
    expect(overLoadFactor(8, 0)).toBe(false);
    expect(overLoadFactor(9, 0)).toBe(true);
    expect(overLoadFactor(13, 1)).toBe(false);
    expect(overLoadFactor(14, 1)).toBe(true);
    expect(overLoadFactor(9, 5)).toBe(false);
  });

  test('stats report the capacity before the next doubling', () => {
    expect(new PresizedMap({ hint: 0 }).stats().nextGrowthAt).toBe(8);
    expect(new PresizedMap({ hint: 5000 }).stats().nextGrowthAt).toBe(6656);
    expect(new PresizedMap({ hint: 150000 }).stats().nextGrowthAt).toBe(212992);
  });
});

describe('bad hints throw an error naming the value', () => {
  const message = (got: string) => `PresizedMap: hint must be an integer from 0 to 2147483648, got ${got}`;
  test.each([
    [-1, '-1'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [2 ** 31 + 1, '2147483649'],
  ])('hint %p throws a RangeError', (hint, got) => {
    expect(() => new PresizedMap({ hint })).toThrow(new RangeError(message(got)));
  });

  test.each([
    ['1000', '"1000" (string)'],
    [null, 'null'],
    [10n, '10n (bigint)'],
    [{}, 'an object'],
  ])('hint %p of another type throws a TypeError', (hint, got) => {
    expect(() => new PresizedMap({ hint: hint as unknown as number })).toThrow(new TypeError(message(got)));
  });

  test('a hint above the most entries one map holds (2^28) says so; 2^28 itself is accepted up to the heap check', () => {
    expect(() => new PresizedMap({ hint: 2 ** 31 })).toThrow(
      new RangeError('PresizedMap: hint 2147483648 is more than the 268435456 entries one map holds'),
    );
    expect(() => new PresizedMap({ hint: MAX_ENTRIES + 1 })).toThrow(
      /hint 268435457 is more than the 268435456 entries/,
    );
    // 2^28 entries pass the limit and meet the heap check instead (a table of gigabytes).
    expect(() => new PresizedMap({ hint: MAX_ENTRIES })).toThrow(/hint 268435456 needs [\d,]+ MiB for its table/);
  });

  test('an insert of a new key into a map that holds 2^28 entries throws and changes nothing', () => {
    const map = new PresizedMap<string, number>({ seed: 3, name: 'full' });
    for (let i = 0; i < 100; i++) map.set(deviceKey(i), i);
    // Filling 2^28 real entries takes gigabytes: the count alone says how many the map holds.
    map['count'] = MAX_ENTRIES;
    const before = map.stats();
    expect(() => map.set('one more', 1)).toThrow(
      new RangeError(
        'PresizedMap: full holds 268435456 entries, the most one map holds; split the keys over a ShardedMap',
      ),
    );
    expect(map.stats()).toEqual(before);
    // Keys already in the map are still updated.
    map.set(deviceKey(7), 70);
    expect(map.get(deviceKey(7))).toBe(70);
    map['count'] = 100;
    checkInvariants(map);
    expect(map.has('one more')).toBe(false);
  });

  test('bad seeds, names and random sources are refused', () => {
    expect(() => new PresizedMap({ seed: -1 })).toThrow(RangeError);
    expect(() => new PresizedMap({ seed: 2 ** 32 })).toThrow(
      /seed must be an integer from 0 to 4294967295, got 4294967296/,
    );
    expect(() => new PresizedMap({ name: 5 as unknown as string })).toThrow(TypeError);
    expect(() => new PresizedMap({ random: 1 as unknown as () => number })).toThrow(/random must be a function/);
  });
});

describe('lazy allocation and the overflow pool', () => {
  test('no bucket array at B = 0 until the first insert', () => {
    const map = new PresizedMap<string, number>();
    expect(map['buckets']).toBeNull();
    expect(map.get('a')).toBeUndefined();
    expect(map.delete('a')).toBe(false);
    expect([...map]).toEqual([]);
    expect(map['buckets']).toBeNull();
    map.set('a', 1);
    expect(map['buckets']).not.toBeNull();
    expect(map['buckets']!.rows.length).toBe(ROW_WORDS);
  });

  test('B >= 1 allocates at once; B >= 4 adds a pool of 2^(B-4) overflow buckets', () => {
    expect(new PresizedMap({ hint: 9 })['buckets']!.rows.length).toBe(2 * ROW_WORDS);
    expect(new PresizedMap({ hint: 100 })['buckets']!.poolEnd).toBe(16 + 1);
    expect(new PresizedMap({ hint: 5000 })['buckets']!.poolEnd).toBe(1024 + 64);
  });
});

describe('storage allocation', () => {
  const ENTRIES_PER_CHUNK = ENTRY_CHUNK_MASK + 1;
  /** Entries the map's entry store has storage for (a key and a value element each). */
  const storedEntries = (map: PresizedMap<string, number>): number =>
    (map['chunks'] as unknown[][]).reduce((sum, chunk) => sum + chunk.length / 2, 0);

  test('a map built with a hint reserves storage for exactly its hint and never adds to it while it holds no more', () => {
    const map = new PresizedMap<string, number>({ hint: 150000 });
    expect(storedEntries(map)).toBe(150000);
    const chunks = [...(map['chunks'] as unknown[][])];
    // 4.6 entries a bucket: the pool holds every overflow bucket, so the rows get no spare room and need none.
    const rows = map['buckets']!.rows;
    expect(rows.length).toBe((32768 + 2048) * ROW_WORDS);
    for (let i = 0; i < 150000; i++) map.set(deviceKey(i), i);
    expect(map['buckets']!.rows).toBe(rows);
    expect(map['chunks']).toEqual(chunks);
    expect((map['chunks'] as unknown[][]).every((chunk, i) => chunk === chunks[i])).toBe(true);
  });

  test('a growth allocates typed arrays only: no key or value is copied, the store grows with the entries', () => {
    const map = new PresizedMap<string, number>({ seed: 21 });
    for (let i = 0; i < 53248; i++) map.set(deviceKey(i), i);
    expect(map.stats()).toMatchObject({ B: 13, growing: false });
    const chunks = [...(map['chunks'] as unknown[][])];
    const before = map['buckets']!;
    map.set(deviceKey(53248), 53248);
    expect(map.stats()).toMatchObject({ B: 14, growing: true });
    expect(map['buckets']).not.toBe(before);
    while (map.stats().growing) map.set(deviceKey(map.size), map.size);
    const after = map['chunks'] as unknown[][];
    // The full chunks of the old table are the same objects; only chunks for new entries were added.
    for (let i = 0; i < chunks.length - 1; i++) expect(after[i]).toBe(chunks[i]);
    expect(storedEntries(map)).toBeLessThanOrEqual(map.size + ENTRIES_PER_CHUNK);
    expect(storedEntries(map)).toBeGreaterThanOrEqual(map.size);
    checkInvariants(map);
  });

  test('a bucket array keeps its rows in one SharedArrayBuffer, also once fresh overflow buckets outgrow it', () => {
    const map = new PresizedMap<string, number>({ hint: 5000, seed: 8 });
    const buckets = map['buckets']!;
    const inOneSharedBuffer = (): void => {
      expect(buckets.tophash.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(buckets.rows.buffer).toBe(buckets.tophash.buffer);
    };
    inOneSharedBuffer();
    const first = buckets.tophash;
    // Up to the next growth: about a fifth of the buckets overflow, more than the pool and spare room hold.
    let storage = buckets.tophash;
    let capacity = map.stats().bucketCapacity;
    let regrowths = 0;
    for (let i = 0; i < 6656; i++) {
      map.set(deviceKey(i), i);
      // stats().bucketCapacity grows exactly in the inserts that copy the rows into a larger buffer.
      expect(map.stats().bucketCapacity > capacity).toBe(buckets.tophash !== storage);
      if (buckets.tophash !== storage) regrowths++;
      storage = buckets.tophash;
      capacity = map.stats().bucketCapacity;
    }
    expect(regrowths).toBeGreaterThan(0);
    expect(map.stats()).toMatchObject({ B: 10, growing: false });
    expect(buckets.tophash).not.toBe(first);
    inOneSharedBuffer();
    checkInvariants(map);
    for (let i = 0; i < 6656; i++) expect(map.get(deviceKey(i))).toBe(i);
  });

  test('the insert that starts a doubling creates no chunk: the chunk came with the entry before', () => {
    const map = new PresizedMap<string, number>({ seed: 13 });
    // 13 * 2^15 = 425,984 entries: B 16 doubles at a chunk boundary.
    for (let i = 0; i < 425984; i++) map.set(deviceKey(i), i);
    expect(map.stats()).toMatchObject({ B: 16, growing: false });
    const chunks = (map['chunks'] as unknown[][]).length;
    expect(chunks).toBe(425984 / ENTRIES_PER_CHUNK + 1);
    map.set(deviceKey(425984), 425984);
    expect(map.stats()).toMatchObject({ B: 17, growing: true });
    expect((map['chunks'] as unknown[][]).length).toBe(chunks);
  });

  test('a map filled to a hint that is a whole number of chunks creates nothing ahead', () => {
    const hint = 2 * ENTRIES_PER_CHUNK;
    const map = new PresizedMap<string, number>({ hint });
    for (let i = 0; i < hint; i++) map.set(deviceKey(i), i);
    expect(storedEntries(map)).toBe(hint);
    map.set(deviceKey(hint), hint);
    expect(storedEntries(map)).toBe(hint + ENTRIES_PER_CHUNK);
  });

  test('stats().entryCapacity is the storage the chunks hold, and grows in the inserts that create chunks', () => {
    const map = new PresizedMap<string, number>({ seed: 5 });
    expect(map.stats().entryCapacity).toBe(0);
    const creating: number[] = [];
    for (let i = 0; i < 3 * ENTRIES_PER_CHUNK; i++) {
      const before = map.stats().entryCapacity;
      map.set(deviceKey(i), i);
      const after = map.stats().entryCapacity;
      if (after !== before) {
        expect(after).toBe(storedEntries(map));
        creating.push(i);
      }
    }
    expect(map.stats().entryCapacity).toBe(storedEntries(map));
    // The first chunk doubles from 8 entries up to a full one; then each full chunk brings the next.
    const doublings = Math.log2(ENTRIES_PER_CHUNK / 8);
    expect(creating.slice(0, doublings + 1)).toEqual(
      [0, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384].slice(0, doublings + 1),
    );
    expect(creating.slice(doublings + 1)).toEqual([
      ENTRIES_PER_CHUNK - 1,
      2 * ENTRIES_PER_CHUNK - 1,
      3 * ENTRIES_PER_CHUNK - 1,
    ]);
    expect(new PresizedMap<string, number>({ hint: 150000 }).stats().entryCapacity).toBe(150000);
    map.clear();
    expect(map.stats().entryCapacity).toBe(4 * ENTRIES_PER_CHUNK);
  });

  test('deleted entries are reused, so churn at a fixed size does not grow the store', () => {
    const map = new PresizedMap<string, number>({ hint: 1000, seed: 5 });
    for (let i = 0; i < 1000; i++) map.set(deviceKey(i), i);
    const stored = storedEntries(map);
    for (let i = 1000; i < 20000; i++) {
      map.delete(deviceKey(i - 1000));
      map.set(deviceKey(i), i);
    }
    expect(map.size).toBe(1000);
    expect(storedEntries(map)).toBe(stored);
    checkInvariants(map);
  });

  test('a small unsized map starts with a small store', () => {
    const map = new PresizedMap<string, number>();
    for (let i = 0; i < 5; i++) map.set(deviceKey(i), i);
    expect(storedEntries(map)).toBeLessThanOrEqual(8);
  });
});

describe('doublings while 120,000 keys go in (spec section 10)', () => {
  const starts = [9, 14, 27, 53, 105, 209, 417, 833, 1665, 3329, 6657, 13313, 26625, 53249, 106497];

  test.each([
    [0, starts],
    [5000, [6657, 13313, 26625, 53249, 106497]],
    [150000, []],
  ])('hint %i: growth starts at inserts %p', (hint, expected) => {
    const map = new PresizedMap<string, number>({ hint, seed: 7 });
    const recorder = recordEvents((id) => id === map.id);
    try {
      for (let i = 0; i < 120000; i++) map.set(deviceKey(i), i);
    } finally {
      recorder.stop();
    }
    const growStarts = recorder.of('growStart');
    expect(growStarts.map((e) => (e['size'] as number) + 1)).toEqual(expected);
    expect(growStarts.every((e) => e['kind'] === 'double' && e['trigger'] === 'load_factor')).toBe(true);
    expect(growStarts.map((e) => e['newB'])).toEqual(growStarts.map((e) => (e['oldB'] as number) + 1));
    expect(recorder.of('growEnd')).toHaveLength(expected.length);
    const stats = map.stats();
    expect(stats).toMatchObject({ size: 120000, B: 15, growths: expected.length, sameSizeGrowths: 0, growing: false });
    // Every overflow bucket came out of the 2,048-bucket pool, as on the real runtime.
    expect(stats.overflowBuckets).toBeLessThan(2048);
    const atFinalB = recorder.of('overflow').filter((e) => e['B'] === 15);
    expect(atFinalB.length).toBe(stats.overflowBuckets);
    expect(atFinalB.every((e) => e['fromPool'] === true)).toBe(true);
    for (let i = 0; i < 120000; i += 997) expect(map.get(deviceKey(i))).toBe(i);
    checkInvariants(map);
  });

  test('each doubling ends before the next threshold, so none is skipped', () => {
    const map = new PresizedMap<string, number>({ seed: 3 });
    let previousGrowths = 0;
    for (let i = 0; i < 30000; i++) {
      const before = map.stats();
      map.set(deviceKey(i), i);
      const after = map.stats();
      if (after.growths !== previousGrowths) {
        expect(before.growing).toBe(false);
        expect(after.growths).toBe(previousGrowths + 1);
        previousGrowths = after.growths;
      }
    }
    expect(previousGrowths).toBe(13);
  });

  test('the 0 -> 1 and 1 -> 2 growths start and finish inside the insert that triggers them', () => {
    for (let seed = 0; seed < 20; seed++) {
      const map = new PresizedMap<string, number>({ seed });
      const recorder = recordEvents((id) => id === map.id);
      try {
        for (let i = 0; i < 14; i++) {
          const before = recorder.events.length;
          map.set(`key-${i}`, i);
          const during = recorder.events
            .slice(before)
            .map((e) => e.channel)
            .filter((channel) => channel !== 'overflow');
          if (i === 8 || i === 13) {
            expect(during[0]).toBe('growStart');
            expect(during[during.length - 1]).toBe('growEnd');
            expect(map.stats().growing).toBe(false);
          } else {
            expect(during).toEqual([]);
          }
        }
      } finally {
        recorder.stop();
      }
      expect(map.stats()).toMatchObject({ B: 2, growths: 2, growing: false });
      checkInvariants(map);
    }
  });

  test('a growth runs over later writes, at most two old buckets each', () => {
    const map = new PresizedMap<string, number>({ seed: 11 });
    for (let i = 0; i < 3328; i++) map.set(deviceKey(i), i);
    expect(map.stats()).toMatchObject({ B: 9, growing: false });
    map.set(deviceKey(3328), 3328);
    const started = map.stats();
    expect(started).toMatchObject({ B: 10, growing: true, oldBuckets: 512 });
    let writes = 1;
    let evacuated = started.evacuated;
    while (map.stats().growing) {
      map.set(deviceKey(3328 + writes), writes);
      writes++;
      const now = map.stats();
      if (now.growing) {
        expect(now.evacuated).toBeGreaterThanOrEqual(evacuated);
        expect(now.evacuated).toBeLessThanOrEqual(512);
        evacuated = now.evacuated;
      }
      checkInvariants(map);
    }
    // Two buckets a write at most, and target evacuations let nevacuate skip ahead.
    expect(writes).toBeGreaterThanOrEqual(256);
    expect(writes).toBeLessThan(512);
  });

  test('a doubling rehashes only the keys whose slot keeps none of their split bits', () => {
    const map = new PresizedMap<string, number>({ seed: 19 });
    /** How many split bits each live entry's slot word keeps: the bits behind the marker of bits 28 to 31. */
    const splitBitsKept = (): Map<number, number> => {
      const buckets = map['buckets']!;
      const kept = new Map<number, number>();
      for (let slot = 0; slot < buckets.nextOverflow << 3; slot++) {
        if (buckets.tophash[topAt(slot)]! < MIN_TOP_HASH) continue;
        const word = buckets.rows[entryAt(slot)]!;
        const field = word >>> 28;
        kept.set(word & ENTRY_BITS, field < 2 ? 0 : 31 - Math.clz32(field));
      }
      return kept;
    };
    // Up to the B 10 -> 11 doubling, updates only once it has started: no key inserted meanwhile.
    for (let i = 0; i < 6656; i++) map.set(deviceKey(i), i);
    const before = splitBitsKept();
    map.set(deviceKey(6656), 6656);
    expect(map.stats()).toMatchObject({ B: 11, growing: true });
    for (let i = 0; map.stats().growing; i++) map.set(deviceKey(i % 6656), -i);
    checkInvariants(map);
    const after = splitBitsKept();
    expect(after.size).toBe(6657);
    // A key that kept bits moved on the lowest and keeps the rest; a key that kept none was
    // hashed again, which gave it the bits of the next three doublings.
    for (const [entry, keptBefore] of before) expect(after.get(entry)).toBe(keptBefore > 0 ? keptBefore - 1 : 3);
    // Keys inserted at B 10 (half) keep 3, at B 9 (a quarter) 2, at B 8 one, and those inserted at
    // B 7 none, as a sixteenth of the older ones: about one key in fifteen was hashed again.
    const counts = [0, 1, 2, 3].map((k) => [...before.values()].filter((n) => n === k).length / 6656);
    expect(counts[3]).toBeGreaterThan(0.45);
    expect(counts[2]).toBeGreaterThan(0.2);
    expect(counts[0]).toBeGreaterThan(0.03);
    expect(counts[0]).toBeLessThan(0.1);
  });

  test('a write moves the evacuation mark past at most 1024 already evacuated buckets', () => {
    const map = new PresizedMap<string, number>({ hint: 26624, seed: 31 });
    for (let i = 0; i < 26624; i++) map.set(`old-${i}`, i);
    expect(map.stats()).toMatchObject({ B: 12, growing: false });
    // A new key for every old bucket (hash & 4095 under the map's seed).
    const seed = map['hashSeed'];
    const seedHigh = map['hashSeedHigh'];
    const keyFor = new Map<number, string>();
    for (let i = 0; keyFor.size < 4096; i++) {
      const key = `new-${i}`;
      const oldBucket = hashString(key, seed, seedHigh) & 4095;
      if (!keyFor.has(oldBucket)) keyFor.set(oldBucket, key);
    }
    map.set(keyFor.get(0)!, 0);
    expect(map.stats()).toMatchObject({ B: 13, growing: true, oldBuckets: 4096 });
    // Evacuate old buckets 2000..3199 as targets, far ahead of the mark.
    for (let t = 2000; t < 3200; t++) map.set(keyFor.get(t)!, t);
    expect(map.stats().evacuated).toBeLessThan(2000);
    // Writes whose own target is done only push the mark on; it must stop at 2000 + 1024.
    const marks: number[] = [];
    while (map.stats().evacuated < 3200) {
      map.set(keyFor.get(0)!, 0);
      marks.push(map.stats().evacuated);
    }
    expect(marks.slice(-3)).toEqual([1999, 3024, 3200]);
    checkInvariants(map);
  });

  test('updates, reads and deletes never start a growth', () => {
    const map = new PresizedMap<string, number>({ seed: 5 });
    for (let i = 0; i < 8; i++) map.set(`k${i}`, i);
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 8; i++) {
        map.set(`k${i}`, round);
        map.get(`k${i}`);
      }
      map.delete('absent');
    }
    expect(map.stats()).toMatchObject({ B: 0, growths: 0, growing: false });
  });
});
