import diagnostics_channel from 'node:diagnostics_channel';
import fc from 'fast-check';
import {
  MAP_CHANNELS,
  type ClearEvent,
  type EvacuateEvent,
  type GrowEndEvent,
  type GrowStartEvent,
  type MapCreateEvent,
} from '@presize/map';
import { observeMap, observedMap, observeSet, observedSet, type NativeMapStats } from '../../src/native/observe-map';
import { insertRehashIndices } from '../../src/native/v8-table-model';

type Recorded =
  | { channel: 'create'; event: MapCreateEvent }
  | { channel: 'growStart'; event: GrowStartEvent }
  | { channel: 'evacuate'; event: EvacuateEvent }
  | { channel: 'growEnd'; event: GrowEndEvent }
  | { channel: 'clear'; event: ClearEvent };

/** Subscribes to every map channel for the duration of `body`. */
function recording(body: (events: Recorded[]) => void): Recorded[] {
  const events: Recorded[] = [];
  const handlers = (['create', 'growStart', 'evacuate', 'growEnd', 'clear'] as const).map((channel) => {
    const handler = (event: unknown) => events.push({ channel, event } as Recorded);
    diagnostics_channel.subscribe(MAP_CHANNELS[channel], handler);
    return [channel, handler] as const;
  });
  try {
    body(events);
  } finally {
    for (const [channel, handler] of handlers) diagnostics_channel.unsubscribe(MAP_CHANNELS[channel], handler);
  }
  return events;
}

/** An operation on a Map or a Set: `set` or `add` for an insert (a Set ignores `value`). */
const modelOp = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), key: fc.integer({ min: 0, max: 40 }), value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('clear' as const) }),
);
type ModelOp = typeof modelOp extends fc.Arbitrary<infer T> ? T : never;

/**
 * Runs `ops` on an observed collection and on a plain one: each answers as the plain one does and
 * ends with the same contents, the model's invariants hold after every operation, and every
 * rebuild it counted was published as one growEnd.
 */
function expectModelKept<C extends Map<number, number> | Set<number>>(
  ops: readonly ModelOp[],
  collections: {
    plain: C;
    observed: C;
    observe: (observed: C) => { stats(): NativeMapStats };
    insert: (collection: C, key: number, value: number) => C;
  },
): void {
  const { plain, observed, observe, insert } = collections;
  let rebuilds = 0;
  const events = recording(() => {
    const handle = observe(observed);
    for (const o of ops) {
      if (o.kind === 'insert') {
        expect(insert(observed, o.key, o.value)).toBe(observed);
        insert(plain, o.key, o.value);
      } else if (o.kind === 'delete') {
        expect(observed.delete(o.key)).toBe(plain.delete(o.key));
      } else {
        observed.clear();
        plain.clear();
      }
      const s = handle.stats();
      expect(s.size).toBe(plain.size);
      expect(s.size + s.deletedEntries).toBeLessThanOrEqual(s.capacity);
      expect(s.capacity).toBeGreaterThanOrEqual(4);
      rebuilds = s.growths + s.sameSizeGrowths + s.shrinks;
    }
  });
  expect([...observed]).toEqual([...plain]);
  expect(events.filter((e) => e.channel === 'growEnd')).toHaveLength(rebuilds);
}

describe('observeMap', () => {
  it('publishes one timed v8_rehash per predicted rebuild, start before the set and end after it', () => {
    const count = 2 ** 17 + 1;
    const map = new Map<number, number>();
    const sizesAtStart: number[] = [];
    const events = recording(() => {
      const handle = observeMap(map, { name: 'sessions' });
      diagnostics_channel.subscribe(MAP_CHANNELS.growStart, function atStart() {
        // The start arrives before the rebuilding set stores its key.
        sizesAtStart.push(map.size);
        diagnostics_channel.unsubscribe(MAP_CHANNELS.growStart, atStart);
      });
      for (let i = 0; i < count; i++) map.set(i, i);
      expect(handle.stats()).toMatchObject({
        size: count,
        capacity: 2 ** 18,
        entryCapacity: 2 ** 18,
        buckets: 2 ** 17,
        bucketCapacity: 2 ** 17,
        growths: 16,
      });
    });
    expect(events[0]).toMatchObject({ channel: 'create', event: { name: 'sessions', B: 1, hint: 0 } });
    const starts = events.filter((e) => e.channel === 'growStart').map((e) => e.event as GrowStartEvent);
    const ends = events.filter((e) => e.channel === 'growEnd').map((e) => e.event as GrowEndEvent);
    const evacuations = events.filter((e) => e.channel === 'evacuate').map((e) => e.event as EvacuateEvent);
    const boundaries = insertRehashIndices(count);
    expect(boundaries).toHaveLength(16);
    expect(starts.map((s) => s.size)).toEqual(boundaries);
    expect(sizesAtStart).toEqual([4]);
    expect(starts.every((s) => s.kind === 'v8_rehash' && s.trigger === 'capacity' && s.newB === s.oldB + 1)).toBe(true);
    expect(starts.at(-1)).toMatchObject({ oldB: 16, newB: 17, size: 2 ** 17, name: 'sessions' });
    expect(ends.map((e) => e.size)).toEqual(boundaries.map((b) => b + 1));
    expect(ends.every((e) => e.operations === 1 && e.durationNs > 0 && e.evacuationNs === e.durationNs)).toBe(true);
    expect(evacuations.map((e) => e.durationNs)).toEqual(ends.map((e) => e.durationNs));
    expect(evacuations.at(-1)).toMatchObject({ bucketsEvacuated: 2 ** 16, oldBuckets: 2 ** 16, entriesMoved: 2 ** 17 });
    // Each growth is start, evacuate, end, in that order, on the same map identity.
    const order = events.filter((e) => e.channel !== 'create').map((e) => e.channel);
    expect(order).toEqual(boundaries.flatMap(() => ['growStart', 'evacuate', 'growEnd']));
    expect(new Set(events.map((e) => e.event.mapId)).size).toBe(1);
  });

  it('reports the shrink of a delete and the reset of clear', () => {
    const map = new Map<string, number>();
    for (let i = 0; i < 64; i++) map.set(`k${i}`, i);
    const events = recording(() => {
      observeMap(map, { name: 'shrinking' });
      for (let i = 0; i < 49; i++) expect(map.delete(`k${i}`)).toBe(true);
      expect(map.delete('absent')).toBe(false);
      map.clear();
    });
    const starts = events.filter((e) => e.channel === 'growStart').map((e) => e.event as GrowStartEvent);
    // 64 slots: the delete that leaves 15 live halves the table.
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ kind: 'v8_shrink', trigger: 'low_occupancy', oldB: 5, newB: 4, size: 16 });
    expect(events.at(-1)).toMatchObject({ channel: 'clear', event: { size: 15, B: 4 } });
    expect(observedMap(map)?.stats()).toMatchObject({ size: 0, capacity: 4, deletedEntries: 0, shrinks: 1 });
  });

  it('publishes nothing without subscribers and still keeps the model', () => {
    const published: unknown[] = [];
    const onClear = (event: unknown) => published.push(event);
    diagnostics_channel.subscribe(MAP_CHANNELS.clear, onClear);
    const target = new Map<number, number>();
    const handle = observeMap(target, { name: 'quiet' });
    for (let i = 0; i < 1000; i++) target.set(i, i);
    expect(diagnostics_channel.channel(MAP_CHANNELS.growStart).hasSubscribers).toBe(false);
    expect(handle.stats()).toMatchObject({ size: 1000, capacity: 1024, growths: 8 });
    target.clear();
    diagnostics_channel.unsubscribe(MAP_CHANNELS.clear, onClear);
    // Only the channel that has a subscriber is published on.
    expect(published).toHaveLength(1);
  });

  it('patches only the instance, is idempotent, and unobserve restores a plain Map', () => {
    const map = new Map<number, number>();
    const first = observeMap(map, { name: 'a' });
    const again = observeMap(map, { name: 'b' });
    expect(again).toBe(first);
    expect(first.name).toBe('b');
    expect(Object.prototype.hasOwnProperty.call(map, 'set')).toBe(true);
    expect(Object.keys(map)).toEqual([]);
    expect(new Map().set).toBe(Map.prototype.set);
    first.unobserve();
    expect(Object.getOwnPropertyNames(map)).toEqual([]);
    expect(observedMap(map)).toBeUndefined();
  });

  it('rejects what is not a Map and a missing name, naming the problem', () => {
    expect(() => observeMap({} as Map<unknown, unknown>, { name: 'x' })).toThrow(
      /expected a Map, got \[object Object\]/,
    );
    expect(() => observeMap(new Map(), { name: '' })).toThrow(/name must be a non-empty string, got ""/);
  });

  it('keeps Map semantics and its model invariants under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(modelOp, { maxLength: 300 }), (ops) =>
        expectModelKept(ops, {
          plain: new Map<number, number>(),
          observed: new Map<number, number>(),
          observe: (map) => observeMap(map, { name: 'model' }),
          insert: (map, key, value) => map.set(key, value),
        }),
      ),
      { numRuns: 200 },
    );
  });
});

describe('observeSet', () => {
  it('publishes one timed v8_rehash per predicted rebuild of the Set, as for a Map', () => {
    const count = 2 ** 16 + 1;
    const set = new Set<number>();
    const events = recording(() => {
      const handle = observeSet(set, { name: 'seen' });
      for (let i = 0; i < count; i++) expect(set.add(i)).toBe(set);
      expect(set.add(0)).toBe(set);
      expect(handle.stats()).toMatchObject({ size: count, capacity: 2 ** 17, growths: 15 });
    });
    const starts = events.filter((e) => e.channel === 'growStart').map((e) => e.event as GrowStartEvent);
    const ends = events.filter((e) => e.channel === 'growEnd').map((e) => e.event as GrowEndEvent);
    expect(starts.map((s) => s.size)).toEqual(insertRehashIndices(count));
    expect(starts.every((s) => s.kind === 'v8_rehash' && s.trigger === 'capacity' && s.name === 'seen')).toBe(true);
    expect(ends.every((e) => e.durationNs > 0)).toBe(true);
  });

  it('reports the shrink of a delete, the reset of clear, and unobserve restores a plain Set', () => {
    const set = new Set<string>();
    for (let i = 0; i < 64; i++) set.add(`k${i}`);
    const events = recording(() => {
      const handle = observeSet(set, { name: 'shrinking-set' });
      expect(Object.getOwnPropertyNames(set).sort()).toEqual(['add', 'clear', 'delete']);
      for (let i = 0; i < 49; i++) expect(set.delete(`k${i}`)).toBe(true);
      expect(set.delete('absent')).toBe(false);
      set.clear();
      expect(handle.stats()).toMatchObject({ size: 0, capacity: 4, shrinks: 1 });
      handle.unobserve();
    });
    const starts = events.filter((e) => e.channel === 'growStart').map((e) => e.event as GrowStartEvent);
    expect(starts).toEqual([
      expect.objectContaining({ kind: 'v8_shrink', trigger: 'low_occupancy', oldB: 5, newB: 4, size: 16 }),
    ]);
    expect(events.at(-1)).toMatchObject({ channel: 'clear', event: { size: 15 } });
    expect(Object.getOwnPropertyNames(set)).toEqual([]);
    expect(observedSet(set)).toBeUndefined();
  });

  it('rejects what is not a Set, naming the problem', () => {
    expect(() => observeSet(new Map() as unknown as Set<unknown>, { name: 'x' })).toThrow(
      /observeSet: expected a Set, got \[object Map\]/,
    );
    expect(() => observeSet(new Set(), { name: ' ' })).toThrow(/observeSet: name must be a non-empty string/);
  });

  it('keeps Set semantics and its model invariants under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(modelOp, { maxLength: 300 }), (ops) =>
        expectModelKept(ops, {
          plain: new Set<number>(),
          observed: new Set<number>(),
          observe: (set) => observeSet(set, { name: 'set-model' }),
          insert: (set, key) => set.add(key),
        }),
      ),
      { numRuns: 200 },
    );
  });
});

describe('the engine limit in the stats of an observed collection', () => {
  it('reports the limit and the doublings left before it; a refused insert leaves the model as it was', () => {
    const map = new Map<number, number>();
    const handle = observeMap(map, { name: 'limited' });
    for (let i = 0; i < 3000; i++) map.set(i, i);
    const { engineLimit, doublingsLeft, capacity } = handle.stats();
    expect(engineLimit).toBe(2 ** 24);
    expect(capacity).toBe(4096);
    expect(doublingsLeft).toBe(24 - 12);
    handle.unobserve();
  });
});
