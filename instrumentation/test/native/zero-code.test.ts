import fc from 'fast-check';
import { nativeMapMethods, nativeSetMethods } from '../../src/native/native-methods';
import { observeMap, observedMap, observedSet, type NativeMapStats } from '../../src/native/observe-map';
import { installNativeMapObserver, type NativeMapObserver } from '../../src/native/zero-code';

describe('zero-code native map observer', () => {
  let observer: NativeMapObserver;
  beforeAll(() => {
    observer = installNativeMapObserver({ minEntries: 1000 });
  });
  afterAll(() => observer.uninstall());

  function fill(map: Map<number, number>, count: number): void {
    for (let i = 0; i < count; i++) map.set(i, i);
  }

  it('finds a map at its first set past the threshold, names it by that set, and leaves the object alone', () => {
    const small = new Map<number, number>();
    fill(small, 1000);
    expect(observedMap(small)).toBeUndefined();
    const big = new Map<number, number>();
    fill(big, 1001);
    const handle = observedMap(big);
    expect(handle?.name).toMatch(/^instrumentation\/test\/native\/zero-code\.test\.ts:\d+:\d+$/);
    // No instance property: the prototype wrappers see its operations from now on.
    expect(Object.getOwnPropertyNames(big)).toEqual([]);
    fill(big, 5000);
    expect(handle?.stats()).toMatchObject({ size: 5000, capacity: 8192, growths: 3 });
    for (let i = 0; i < 3000; i++) big.delete(i);
    // Fewer than a quarter of 8,192 slots live at 2,047 entries: the table halved, then 47 more deletes.
    expect(handle?.stats()).toMatchObject({ size: 2000, capacity: 4096, deletedEntries: 47, shrinks: 1 });
    big.clear();
    expect(handle?.stats()).toMatchObject({ size: 0, capacity: 4, deletedEntries: 0 });
  });

  it('resynchronises the model from the size after operations it did not see', () => {
    const map = new Map<number, number>();
    fill(map, 1001);
    const handle = observedMap(map);
    for (let i = 0; i < 900; i++) map.delete(i); // below the threshold from here: not seen
    fill(map, 4000);
    expect(handle?.stats()).toMatchObject({ size: 4000, capacity: 4096, deletedEntries: 0 });
  });

  it('sees neither inserts nor deletes of a found map or set while it is below the threshold, in the job it went below', () => {
    const map = new Map<number, number>();
    const set = new Set<number>();
    fill(map, 2001);
    for (let i = 0; i < 2001; i++) set.add(i);
    const handles = [observedMap(map), observedSet(set)];
    // 2,001 down to 1,001 entries are seen; from 999 on, nothing is, until the collection holds 1,000 again.
    for (let i = 0; i < 1200; i++) {
      map.delete(i);
      set.delete(i);
    }
    const modelled = (handle: (typeof handles)[number]) => {
      const { capacity, deletedEntries, growths, shrinks } = handle!.stats();
      return { capacity, deletedEntries, growths, shrinks };
    };
    const below = handles.map(modelled);
    // From 801 up to 999 entries, past the capacity of a table modelled from 801 entries, with deletes between.
    for (let i = 5000; i < 5198; i++) {
      map.set(i, i);
      set.add(i);
      if (i % 3 === 0) {
        map.delete(i);
        set.delete(i);
      }
    }
    expect([map.size, set.size]).toEqual([933, 933]);
    expect(handles.map(modelled)).toEqual(below);
  });

  it('does not find a map again once its observation was ended', () => {
    const map = new Map<number, number>();
    fill(map, 1001);
    observedMap(map)?.unobserve();
    fill(map, 2000);
    expect(observedMap(map)).toBeUndefined();
  });

  it('finds maps filled by the Map constructor and by subclasses', () => {
    const entries = Array.from({ length: 1500 }, (_, i) => [i, i] as [number, number]);
    const constructed = new Map(entries);
    expect(observedMap(constructed)?.stats().size).toBe(1500);
    class Registry extends Map<number, number> {}
    const sub = new Registry();
    fill(sub, 1200);
    expect(observedMap(sub)).toBeDefined();
  });

  it('keeps the same model as an explicit observation while operations alternate between found maps and jobs end', async () => {
    // Deletes from the last map operated on are counted in the wrappers' closure and reach its
    // model when another map is operated on, when the job ends, or when its stats are read.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), map: fc.integer({ min: 0, max: 1 }), key: fc.nat(2999) }),
      fc.record({ kind: fc.constant('delete' as const), map: fc.integer({ min: 0, max: 1 }), key: fc.nat(2999) }),
      fc.record({ kind: fc.constant('clear' as const), map: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('endJob' as const) }),
      fc.record({ kind: fc.constant('readStats' as const), map: fc.integer({ min: 0, max: 1 }) }),
    );
    // After a clear, the refill below the threshold goes unseen by the zero-code mode (its model
    // restarts from the size at 1,001 entries): the tables agree again, the rebuild counts no longer.
    // Once deletes take a map below the threshold, its operations go unseen until it grows past it
    // again, and its model restarts from the size of a table that still holds its deleted slots
    // (and may keep a larger capacity): only the size is known then.
    type Seen = 'always' | 'cleared' | 'belowThreshold';
    const modelOf = (s: NativeMapStats | undefined, seen: Seen) =>
      s &&
      (seen === 'belowThreshold'
        ? { size: s.size }
        : {
            size: s.size,
            capacity: s.capacity,
            deletedEntries: s.deletedEntries,
            ...(seen === 'cleared'
              ? {}
              : { growths: s.growths, sameSizeGrowths: s.sameSizeGrowths, shrinks: s.shrinks }),
          });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 300 }), async (ops) => {
        // Both observations start from a table modelled from 1,000 entries, before key 1,000 goes in.
        const found = [new Map<number, number>(), new Map<number, number>()];
        const twins = [new Map<number, number>(), new Map<number, number>()];
        for (const twin of twins) fill(twin, 1000);
        const twinHandles = twins.map((twin, i) => observeMap(twin, { name: `twin-${i}` }));
        for (const map of [...found, ...twins]) fill(map, 1001);
        const handles = found.map((map) => observedMap(map));
        const seen: Seen[] = ['always', 'always'];
        try {
          for (const o of ops) {
            if (o.kind === 'endJob') {
              await Promise.resolve();
              continue;
            }
            const [map, twin] = [found[o.map]!, twins[o.map]!];
            if (o.kind === 'set') {
              map.set(o.key, o.key);
              twin.set(o.key, o.key);
            } else if (o.kind === 'delete') {
              expect(map.delete(o.key)).toBe(twin.delete(o.key));
              if (map.size < observer.minEntries) seen[o.map] = 'belowThreshold';
            } else if (o.kind === 'clear') {
              map.clear();
              twin.clear();
              seen[o.map] = 'cleared';
              fill(map, 1001);
              fill(twin, 1001);
            } else {
              expect(modelOf(handles[o.map]?.stats(), seen[o.map]!)).toEqual(
                modelOf(twinHandles[o.map]!.stats(), seen[o.map]!),
              );
            }
          }
          await Promise.resolve();
          for (let i = 0; i < 2; i++) {
            expect(modelOf(handles[i]?.stats(), seen[i]!)).toEqual(modelOf(twinHandles[i]!.stats(), seen[i]!));
          }
        } finally {
          for (const handle of twinHandles) handle.unobserve();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('finds a Set at its first add past the threshold and follows its rebuilds', () => {
    const set = new Set<number>();
    for (let i = 0; i < 1000; i++) set.add(i);
    expect(observedSet(set)).toBeUndefined();
    set.add(1000);
    const handle = observedSet(set);
    expect(handle?.name).toMatch(/^instrumentation\/test\/native\/zero-code\.test\.ts:\d+:\d+$/);
    expect(Object.getOwnPropertyNames(set)).toEqual([]);
    for (let i = 1001; i < 5000; i++) set.add(i);
    expect(handle?.stats()).toMatchObject({ size: 5000, capacity: 8192, growths: 3 });
    for (let i = 0; i < 3000; i++) expect(set.delete(i)).toBe(true);
    expect(handle?.stats()).toMatchObject({ size: 2000, capacity: 4096, deletedEntries: 47, shrinks: 1 });
    set.clear();
    expect(handle?.stats()).toMatchObject({ size: 0, capacity: 4, deletedEntries: 0 });
  });

  const patchedAttributes = () =>
    [
      [Map.prototype, 'set'],
      [Map.prototype, 'delete'],
      [Map.prototype, 'clear'],
      [Set.prototype, 'add'],
      [Set.prototype, 'delete'],
      [Set.prototype, 'clear'],
    ].map(([prototype, method]) => {
      const { writable, enumerable, configurable } = Object.getOwnPropertyDescriptor(
        prototype as object,
        method as string,
      )!;
      return { writable, enumerable, configurable };
    });

  it('is installed once per process, and uninstall restores the engine method', () => {
    expect(installNativeMapObserver({ minEntries: 5 })).toBe(observer);
    expect(Map.prototype.set).not.toBe(nativeMapMethods.set);
    expect(Map.prototype.delete).not.toBe(nativeMapMethods.delete);
    expect(Map.prototype.clear).not.toBe(nativeMapMethods.clear);
    expect([Map.prototype.set.length, Map.prototype.delete.length, Map.prototype.clear.length]).toEqual([2, 1, 0]);
    expect(Set.prototype.add).not.toBe(nativeSetMethods.add);
    expect(Set.prototype.delete).not.toBe(nativeSetMethods.delete);
    expect(Set.prototype.clear).not.toBe(nativeSetMethods.clear);
    expect(observer.minEntries).toBe(1000);
    // Replaced as the engine defines its methods: writable, configurable, not enumerable.
    expect(patchedAttributes()).toEqual(Array(6).fill({ writable: true, enumerable: false, configurable: true }));
  });

  it('rejects a threshold that is not a whole number', () => {
    observer.uninstall();
    try {
      expect(() => installNativeMapObserver({ minEntries: 0.5 })).toThrow(
        /minEntries must be a whole number of entries >= 1, got 0.5/,
      );
      expect(Map.prototype.set).toBe(nativeMapMethods.set);
      expect(Map.prototype.delete).toBe(nativeMapMethods.delete);
      expect(Map.prototype.clear).toBe(nativeMapMethods.clear);
      expect([Set.prototype.add, Set.prototype.delete, Set.prototype.clear]).toEqual([
        nativeSetMethods.add,
        nativeSetMethods.delete,
        nativeSetMethods.clear,
      ]);
      expect(patchedAttributes()).toEqual(Array(6).fill({ writable: true, enumerable: false, configurable: true }));
    } finally {
      observer = installNativeMapObserver({ minEntries: 1000 });
    }
  });
});
