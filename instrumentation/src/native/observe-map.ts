import {
  MapEventPublisher,
  nextMapId,
  type GrowthKind,
  type GrowthTrigger,
  type ObservedMap,
  type PresizedMapStats,
} from '@presize/map/publisher';
import { callSiteName } from './call-site.js';
import { doublingsLeft, engineLimit } from './engine-limit.js';
import { nativeMapMethods, nativeSetMethods } from './native-methods.js';
import {
  applyClear,
  applyDelete,
  bucketsOf,
  deleteRehashes,
  insertRehashes,
  rehashForInsert,
  tableForSize,
  type V8Rehash,
  type V8TableState,
} from './v8-table-model.js';

export interface ObserveMapOptions {
  /** The collection's `presize.map.name` in metrics and spans. */
  name: string;
}

/** A native map's state in the presized map's terms, plus what only a V8 table has. */
export interface NativeMapStats extends PresizedMapStats {
  /** Entry slots of the modelled V8 table: 2 per bucket. */
  capacity: number;
  /** Deleted entries that keep their slots until the next rebuild. */
  deletedEntries: number;
  /** Rebuilds at half the capacity since the map was observed. */
  shrinks: number;
  /** Entries the engine lets one Map or Set hold (see engine-limit.ts); undefined when unknown. */
  engineLimit: number | undefined;
  /** Table doublings left before the capacity would pass the engine limit; 0: the next full table throws. */
  doublingsLeft: number | undefined;
}

/** What `observeMap` returns: the map's identity on the map channels, and a way to let it go. */
export interface ObservedNativeMap extends ObservedMap {
  stats(): NativeMapStats;
  /** Renames the map; telemetry already keyed by the old name keeps it. */
  rename(name: string): void;
  /** Removes the instance methods `observeMap` installed; the map is a plain `Map` again. */
  unobserve(): void;
}

/** A native `Map` or `Set`: the same V8 ordered hash table behind both. */
export type NativeCollection = Map<unknown, unknown> | Set<unknown>;
type AnyMap = Map<unknown, unknown>;
type AnySet = Set<unknown>;
type PatchedMethod = 'set' | 'add' | 'delete' | 'clear';

// Shared by every copy of the package, so that a collection is patched once whichever copy observes it.
const OBSERVATIONS = Symbol.for('@presize/instrumentation/native-map-observations');
type ObservationRegistry = { [OBSERVATIONS]?: WeakMap<NativeCollection, unknown> };

function sharedObservations(): WeakMap<NativeCollection, unknown> {
  const registry = globalThis as ObservationRegistry;
  let known = registry[OBSERVATIONS];
  if (known === undefined) {
    known = new WeakMap();
    Object.defineProperty(registry, OBSERVATIONS, { value: known });
  }
  return known;
}

const observations = sharedObservations() as WeakMap<NativeCollection, NativeMapObservation>;
/** Collections whose observation was ended: the zero-code mode does not find them again. */
const dismissed = new WeakSet<NativeCollection>();

/** The engine's `Map.prototype.set` or `Set.prototype.add` (called with a value it ignores). */
export type EngineInsert<R> = (this: NativeCollection, key: unknown, value: unknown) => R;
export type EngineDelete = (this: NativeCollection, key: unknown) => boolean;

const TRIGGERS: Record<V8Rehash['kind'], [GrowthKind, GrowthTrigger]> = {
  grow: ['v8_rehash', 'capacity'],
  compact: ['v8_rehash', 'deleted_entries'],
  shrink: ['v8_shrink', 'low_occupancy'],
};

/**
 * One observed native `Map` or `Set`: its modelled V8 table, and the per-operation logic both
 * ways of observing share (instance methods from `observeMap`/`observeSet`, the prototype
 * wrappers of the zero-code mode). The collection holds it strongly, through its instance methods
 * or the shared registry, and it holds the collection, so the pair lives exactly as long as the
 * application keeps the collection; subscribers hold it weakly, as the channel contract asks.
 *
 * Callers split every operation in two: one comparison of the collection's size with
 * `quietInsertBelow` or `quietDeleteAbove` says whether the engine can be called straight away,
 * and only the operations that may rebuild the table, or find the model stale, go through
 * `insert`/`remove`, which time them.
 */
export class NativeMapObservation implements ObservedNativeMap {
  name: string;
  readonly id: number;
  readonly table: V8TableState;
  private readonly events = new MapEventPublisher(this);
  growths = 0;
  compactions = 0;
  shrinks = 0;
  /**
   * True when operations may have gone unseen (a zero-code collection below the threshold): the
   * next operation seen restarts the model from the collection's size.
   */
  private stale = false;
  /**
   * The model's answers for the operations that cannot rebuild the table, kept as two plain
   * numbers so that a wrapper decides with one comparison: an insert into a collection of fewer
   * than `quietInsertBelow` entries, a delete from one of more than `quietDeleteAbove`. Recomputed
   * by `settle()` whenever the table or `stale` changes; a stale model clears neither.
   */
  quietInsertBelow = 0;
  quietDeleteAbove = Infinity;
  /** Brings the model up to date with deletes the zero-code wrappers counted on their own (see zero-code.ts). */
  private applyCountedDeletes: (() => void) | undefined;
  private patched = false;
  private readonly previous: Map<PatchedMethod, PropertyDescriptor | undefined> = new Map();

  constructor(
    readonly map: NativeCollection,
    name: string,
  ) {
    this.name = name;
    this.id = nextMapId();
    this.table = tableForSize(map.size);
    this.settle();
  }

  /** Recomputes the quiet bounds from the modelled table. */
  private settle(): void {
    const { capacity, deleted } = this.table;
    this.quietInsertBelow = this.stale ? 0 : capacity - deleted;
    // A delete that leaves fewer than capacity / 4 live entries shrinks the table.
    this.quietDeleteAbove = this.stale ? Infinity : capacity / 4;
  }

  /** Operations on the collection may go unseen from now on: the next one seen resynchronises the model. */
  markStale(): void {
    this.stale = true;
    this.settle();
  }

  /** `apply` is called before the model is read, so that deletes counted elsewhere are in it. */
  countDeletesWith(apply: (() => void) | undefined): void {
    this.applyCountedDeletes = apply;
  }

  stats(): NativeMapStats {
    this.applyCountedDeletes?.();
    const size = this.map.size;
    const { capacity, deleted } = this.table;
    const buckets = bucketsOf(capacity);
    const limit = engineLimit().entries;
    return {
      size,
      B: Math.log2(buckets),
      buckets,
      overflowBuckets: 0,
      noverflow: 0,
      growing: false,
      oldBuckets: 0,
      evacuated: 0,
      growths: this.growths,
      sameSizeGrowths: this.compactions,
      hint: 0,
      loadFactor: size / buckets,
      nextGrowthAt: capacity - deleted,
      bucketCapacity: buckets,
      entryCapacity: capacity,
      capacity,
      deletedEntries: deleted,
      shrinks: this.shrinks,
      engineLimit: limit,
      doublingsLeft: limit === undefined ? undefined : doublingsLeft(capacity, limit),
    };
  }

  rename(name: string): void {
    this.name = checkName(name, 'rename');
  }

  private resync(size: number): void {
    const table = tableForSize(size);
    this.table.capacity = table.capacity;
    this.table.deleted = 0;
    this.stale = false;
    this.settle();
  }

  /** Records `count` deletes the engine reported from a collection above `quietDeleteAbove`: their slots stay taken until the next rebuild. */
  deleted(count = 1): void {
    this.table.deleted += count;
    this.quietInsertBelow -= count;
  }

  /**
   * An insert the `quietInsertBelow` bound did not clear, into the collection holding `size` entries:
   * `engineInsert` is the engine's `set` (or `add`, which ignores `value`). Takes the engine's
   * method rather than a closure, so that callers allocate nothing on their fast path.
   */
  insert<R>(size: number, key: unknown, value: unknown, engineInsert: EngineInsert<R>): R {
    const collection = this.map;
    if (this.stale) this.resync(size);
    if (!insertRehashes(this.table, size) || collection.has(key)) return engineInsert.call(collection, key, value);
    const before = { ...this.table };
    const rehash = rehashForInsert(this.table);
    if (!this.publishing()) return this.rebuilding(rehash, before, engineInsert, key, value);
    this.publishStart(rehash, size);
    const start = process.hrtime.bigint();
    const result = this.rebuilding(rehash, before, engineInsert, key, value);
    this.publishEnd(rehash, size, Number(process.hrtime.bigint() - start), collection.size);
    return result;
  }

  /** A delete the `quietDeleteAbove` bound did not clear, from the collection holding `size` entries. */
  remove(size: number, key: unknown, engineDelete: EngineDelete): boolean {
    const collection = this.map;
    if (this.stale) this.resync(size);
    const liveAfter = size - 1;
    if (!deleteRehashes(this.table, liveAfter) || !collection.has(key)) {
      const deleted = engineDelete.call(collection, key);
      if (deleted) this.deleted();
      return deleted;
    }
    const rehash = applyDelete(this.table, liveAfter) as V8Rehash;
    this.settle();
    this.count(rehash);
    if (!this.publishing()) return engineDelete.call(collection, key);
    this.publishStart(rehash, size);
    const start = process.hrtime.bigint();
    const deleted = engineDelete.call(collection, key);
    this.publishEnd(rehash, liveAfter, Number(process.hrtime.bigint() - start), liveAfter);
    return deleted;
  }

  /** Runs the engine's insert that rebuilds the table; the model stays as it was if the engine refuses (at its limit). */
  private rebuilding<R>(
    rehash: V8Rehash,
    before: V8TableState,
    engineInsert: EngineInsert<R>,
    key: unknown,
    value: unknown,
  ): R {
    try {
      const result = engineInsert.call(this.map, key, value);
      this.count(rehash);
      return result;
    } catch (error) {
      this.table.capacity = before.capacity;
      this.table.deleted = before.deleted;
      throw error;
    } finally {
      this.settle();
    }
  }

  clear(engineClear: (this: NativeCollection) => void): void {
    const collection = this.map;
    const size = collection.size;
    const B = Math.log2(bucketsOf(this.table.capacity));
    engineClear.call(collection);
    applyClear(this.table);
    this.stale = false;
    this.settle();
    this.events.clear(size, B);
  }

  private publishing(): boolean {
    return this.events.timesGrowth || this.events.timesEvacuation;
  }

  /** Gives the collection its own insert, `delete` and `clear`, so that every operation is seen. */
  install(): void {
    if (this.patched) return;
    this.patched = true;
    const target = this.map;
    const insertMethod = target instanceof Set ? 'add' : 'set';
    const methods: readonly PatchedMethod[] = [insertMethod, 'delete', 'clear'];
    const own = (method: PatchedMethod) => Object.getOwnPropertyDescriptor(target, method);
    for (const method of methods) this.previous.set(method, own(method));
    const engine = target instanceof Set ? nativeSetMethods : nativeMapMethods;
    // An instance method someone installed before us stays in the chain; otherwise the engine's.
    const chained = <F>(method: PatchedMethod, fallback: F): F => (own(method)?.value as F | undefined) ?? fallback;
    const del = chained<EngineDelete>('delete', engine.delete as EngineDelete);
    const clear = chained<(this: NativeCollection) => void>('clear', engine.clear as never);
    // The wrappers are functions, not arrows: their own `this` is the collection they are called on.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const observation = this;
    if (target instanceof Set) {
      const add = chained<(this: AnySet, value: unknown) => AnySet>('add', nativeSetMethods.add);
      define(target, 'add', function add_(this: AnySet, value: unknown): AnySet {
        if (this !== target) return add.call(this, value);
        const size = target.size;
        if (size < observation.quietInsertBelow) return add.call(target, value);
        return observation.insert(size, value, undefined, add as EngineInsert<AnySet>);
      });
    } else {
      const set = chained<(this: AnyMap, key: unknown, value: unknown) => AnyMap>('set', nativeMapMethods.set);
      define(target, 'set', function set_(this: AnyMap, key: unknown, value: unknown): AnyMap {
        if (this !== target) return set.call(this, key, value);
        const size = target.size;
        if (size < observation.quietInsertBelow) return set.call(target, key, value);
        return observation.insert(size, key, value, set as EngineInsert<AnyMap>);
      });
    }
    define(target, 'delete', function delete_(this: NativeCollection, key: unknown): boolean {
      if (this !== target) return del.call(this, key);
      const size = target.size;
      if (size <= observation.quietDeleteAbove) return observation.remove(size, key, del);
      const deleted = del.call(target, key);
      if (deleted) observation.deleted();
      return deleted;
    });
    define(target, 'clear', function clear_(this: NativeCollection): void {
      return this === target ? observation.clear(clear) : clear.call(this);
    });
  }

  unobserve(): void {
    if (observations.get(this.map) !== this) return;
    if (this.patched) {
      for (const [method, descriptor] of this.previous) {
        if (descriptor === undefined) Reflect.deleteProperty(this.map, method);
        else Object.defineProperty(this.map, method, descriptor);
      }
    }
    observations.delete(this.map);
    dismissed.add(this.map);
  }

  announce(): void {
    this.events.create(0, Math.log2(bucketsOf(this.table.capacity)));
  }

  private count(rehash: V8Rehash): void {
    if (rehash.kind === 'grow') this.growths += 1;
    else if (rehash.kind === 'compact') this.compactions += 1;
    else this.shrinks += 1;
  }

  private publishStart(rehash: V8Rehash, size: number): void {
    const [kind, trigger] = TRIGGERS[rehash.kind];
    const oldB = Math.log2(bucketsOf(rehash.oldCapacity));
    // V8 allocates and copies in one step; the whole measured rebuild is reported at the end.
    this.events.growStart(kind, trigger, oldB, Math.log2(bucketsOf(rehash.newCapacity)), size, 0, 0);
  }

  private publishEnd(rehash: V8Rehash, moved: number, durationNs: number, size: number): void {
    const [kind, trigger] = TRIGGERS[rehash.kind];
    const oldBuckets = bucketsOf(rehash.oldCapacity);
    this.events.evacuate(oldBuckets, moved, oldBuckets, oldBuckets, durationNs);
    const newB = Math.log2(bucketsOf(rehash.newCapacity));
    this.events.growEnd(kind, trigger, Math.log2(oldBuckets), newB, size, 1, durationNs, durationNs);
  }
}

function define(target: NativeCollection, method: PatchedMethod, fn: (...args: never[]) => unknown): void {
  Object.defineProperty(target, method, { value: fn, writable: true, configurable: true, enumerable: false });
}

function checkName(name: unknown, caller: string): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TypeError(`${caller}: name must be a non-empty string, got ${JSON.stringify(name) ?? String(name)}`);
  }
  return name;
}

function observe(target: NativeCollection, name: string): ObservedNativeMap {
  const known = observations.get(target);
  if (known !== undefined) {
    known.rename(name);
    known.install();
    return known;
  }
  dismissed.delete(target);
  const observation = new NativeMapObservation(target, name);
  observation.install();
  observations.set(target, observation);
  observation.announce();
  return observation;
}

/**
 * Observes one native `Map`: patches this instance's `set`, `delete` and `clear` (not the
 * prototype) so that every rebuild of its V8 table is timed and published on the map channels as
 * a growth of kind `v8_rehash` or `v8_shrink`, and the instrumentation reports it like a presized
 * map's growth. Between rebuilds a `set` costs two comparisons more. Observing a map twice returns
 * the same handle, renamed when a name is given.
 */
export function observeMap<K, V>(map: Map<K, V>, options: ObserveMapOptions): ObservedNativeMap {
  if (!(map instanceof Map)) {
    throw new TypeError(`observeMap: expected a Map, got ${Object.prototype.toString.call(map)}`);
  }
  return observe(map as unknown as AnyMap, checkName(options?.name, 'observeMap'));
}

/**
 * Observes one native `Set` as `observeMap` observes a `Map` (a `Set` has the same V8 table):
 * patches this instance's `add`, `delete` and `clear`; its rebuilds are reported as growths of
 * the map named `options.name`.
 */
export function observeSet<T>(set: Set<T>, options: ObserveMapOptions): ObservedNativeMap {
  if (!(set instanceof Set)) {
    throw new TypeError(`observeSet: expected a Set, got ${Object.prototype.toString.call(set)}`);
  }
  return observe(set as unknown as AnySet, checkName(options?.name, 'observeSet'));
}

/** The handle of a map `observeMap` (or the zero-code mode) is observing, if any. */
export function observedMap<K, V>(map: Map<K, V>): ObservedNativeMap | undefined {
  return observations.get(map as unknown as AnyMap);
}

/** The handle of a set `observeSet` (or the zero-code mode) is observing, if any. */
export function observedSet<T>(set: Set<T>): ObservedNativeMap | undefined {
  return observations.get(set as unknown as AnySet);
}

/**
 * The observation of a collection the zero-code mode reached past its threshold: found (and
 * named by the source location of the call to `caller`) the first time, without instance
 * methods, since the prototype wrappers see its operations. Undefined for a collection whose
 * observation was ended with `unobserve()`.
 */
export function observationFor(
  target: NativeCollection,
  caller: (...args: never[]) => unknown,
): NativeMapObservation | undefined {
  const known = observations.get(target);
  if (known !== undefined) return known;
  if (dismissed.has(target)) return undefined;
  const observation = new NativeMapObservation(target, callSiteName(caller));
  observations.set(target, observation);
  observation.announce();
  return observation;
}
