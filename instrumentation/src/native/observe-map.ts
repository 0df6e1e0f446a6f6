import {
  MapEventPublisher,
  nextMapId,
  type GrowthKind,
  type GrowthTrigger,
  type ObservedMap,
  type PresizedMapStats,
} from '@presize/map/publisher';
import { callSiteName } from './call-site.js';
import { nativeMapMethods } from './native-methods.js';
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
  /** The map's `presize.map.name` in metrics and spans. */
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
}

/** What `observeMap` returns: the map's identity on the map channels, and a way to let it go. */
export interface ObservedNativeMap extends ObservedMap {
  stats(): NativeMapStats;
  /** Renames the map; telemetry already keyed by the old name keeps it. */
  rename(name: string): void;
  /** Removes the instance methods `observeMap` installed; the map is a plain `Map` again. */
  unobserve(): void;
}

type AnyMap = Map<unknown, unknown>;
type PatchedMethod = 'set' | 'delete' | 'clear';
const PATCHED: readonly PatchedMethod[] = ['set', 'delete', 'clear'];

// Shared by every copy of the package, so that a map is patched once whichever copy observes it.
const OBSERVATIONS = Symbol.for('@presize/instrumentation/native-map-observations');
type ObservationRegistry = { [OBSERVATIONS]?: WeakMap<AnyMap, unknown> };

function sharedObservations(): WeakMap<AnyMap, unknown> {
  const registry = globalThis as ObservationRegistry;
  let known = registry[OBSERVATIONS];
  if (known === undefined) {
    known = new WeakMap();
    Object.defineProperty(registry, OBSERVATIONS, { value: known });
  }
  return known;
}

const observations = sharedObservations() as WeakMap<AnyMap, NativeMapObservation>;
/** Maps whose observation was ended: the zero-code mode does not find them again. */
const dismissed = new WeakSet<AnyMap>();

const TRIGGERS: Record<V8Rehash['kind'], [GrowthKind, GrowthTrigger]> = {
  grow: ['v8_rehash', 'capacity'],
  compact: ['v8_rehash', 'deleted_entries'],
  shrink: ['v8_shrink', 'low_occupancy'],
};

type EngineSet = (this: AnyMap, key: unknown, value: unknown) => AnyMap;
type EngineDelete = (this: AnyMap, key: unknown) => boolean;
type EngineClear = (this: AnyMap) => void;

/**
 * One observed native map: its modelled V8 table, and the per-operation logic both ways of
 * observing share (instance methods from `observeMap`, the prototype wrappers of the zero-code
 * mode). The map holds it strongly, through its instance methods or the shared registry, and it
 * holds the map, so the pair lives exactly as long as the application keeps the map; subscribers
 * hold it weakly, as the channel contract asks.
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
   * Set when operations may go unseen (a zero-code map below the threshold): the next operation
   * seen restarts the model from the map's size.
   */
  stale = false;
  private patched = false;
  private readonly previous: Map<PatchedMethod, PropertyDescriptor | undefined> = new Map();

  constructor(
    readonly map: AnyMap,
    name: string,
  ) {
    this.name = name;
    this.id = nextMapId();
    this.table = tableForSize(map.size);
  }

  stats(): NativeMapStats {
    const size = this.map.size;
    const { capacity, deleted } = this.table;
    const buckets = bucketsOf(capacity);
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
      capacity,
      deletedEntries: deleted,
      shrinks: this.shrinks,
    };
  }

  rename(name: string): void {
    this.name = checkName(name);
  }

  private resync(size: number): void {
    const table = tableForSize(size);
    this.table.capacity = table.capacity;
    this.table.deleted = 0;
    this.stale = false;
  }

  /** `set` on the map, which holds `size` entries before it. */
  set(engineSet: EngineSet, key: unknown, value: unknown, size: number): AnyMap {
    const map = this.map;
    if (this.stale) this.resync(size);
    // Only an insert into a full table rebuilds it; anything else costs these comparisons.
    if (!insertRehashes(this.table, size) || map.has(key)) return engineSet.call(map, key, value);
    const rehash = rehashForInsert(this.table);
    this.count(rehash);
    if (!this.events.timesGrowth && !this.events.timesEvacuation) {
      engineSet.call(map, key, value);
    } else {
      this.publishStart(rehash, size);
      const start = process.hrtime.bigint();
      engineSet.call(map, key, value);
      this.publishEnd(rehash, size, Number(process.hrtime.bigint() - start), map.size);
    }
    return map;
  }

  /** `delete` on the map, which holds `size` entries before it. */
  delete(engineDelete: EngineDelete, key: unknown, size: number): boolean {
    const map = this.map;
    if (this.stale) this.resync(size);
    const liveAfter = size - 1;
    if (!deleteRehashes(this.table, liveAfter) || !map.has(key)) {
      const deleted = engineDelete.call(map, key);
      if (deleted) this.table.deleted += 1;
      return deleted;
    }
    const rehash = applyDelete(this.table, liveAfter) as V8Rehash;
    this.count(rehash);
    let deleted: boolean;
    if (!this.events.timesGrowth && !this.events.timesEvacuation) {
      deleted = engineDelete.call(map, key);
    } else {
      this.publishStart(rehash, size);
      const start = process.hrtime.bigint();
      deleted = engineDelete.call(map, key);
      this.publishEnd(rehash, liveAfter, Number(process.hrtime.bigint() - start), liveAfter);
    }
    return deleted;
  }

  clear(engineClear: EngineClear): void {
    const map = this.map;
    const size = map.size;
    const B = Math.log2(bucketsOf(this.table.capacity));
    engineClear.call(map);
    applyClear(this.table);
    this.stale = false;
    this.events.clear(size, B);
  }

  /** Gives the map its own `set`, `delete` and `clear`, so that every operation is seen. */
  install(): void {
    if (this.patched) return;
    this.patched = true;
    const map = this.map;
    const own = (method: PatchedMethod) => Object.getOwnPropertyDescriptor(map, method);
    for (const method of PATCHED) this.previous.set(method, own(method));
    // An instance method someone installed before us stays in the chain; otherwise the engine's.
    const set = (own('set')?.value as EngineSet | undefined) ?? nativeMapMethods.set;
    const del = (own('delete')?.value as EngineDelete | undefined) ?? nativeMapMethods.delete;
    const clear = (own('clear')?.value as EngineClear | undefined) ?? nativeMapMethods.clear;
    // The wrappers are functions, not arrows: their own `this` is the map they are called on.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const observation = this;
    define(map, 'set', function set_(this: AnyMap, key: unknown, value: unknown): AnyMap {
      return this === map ? observation.set(set, key, value, map.size) : set.call(this, key, value);
    });
    define(map, 'delete', function delete_(this: AnyMap, key: unknown): boolean {
      return this === map ? observation.delete(del, key, map.size) : del.call(this, key);
    });
    define(map, 'clear', function clear_(this: AnyMap): void {
      return this === map ? observation.clear(clear) : clear.call(this);
    });
  }

  unobserve(): void {
    if (observations.get(this.map) !== this) return;
    if (this.patched) {
      for (const method of PATCHED) {
        const descriptor = this.previous.get(method);
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

function define(map: AnyMap, method: PatchedMethod, fn: (...args: never[]) => unknown): void {
  Object.defineProperty(map, method, { value: fn, writable: true, configurable: true, enumerable: false });
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TypeError(`observeMap: name must be a non-empty string, got ${JSON.stringify(name) ?? String(name)}`);
  }
  return name;
}

/**
 * Observes one native `Map`: patches this instance's `set`, `delete` and `clear` (not the
 * prototype) so that every rebuild of its V8 table is timed and published on the map channels as
 * a growth of kind `v8_rehash` or `v8_shrink`, and the instrumentation reports it like a presized
 * map's growth. Between rebuilds a `set` costs one comparison more. Observing a map twice returns
 * the same handle, renamed when a name is given.
 */
export function observeMap<K, V>(map: Map<K, V>, options: ObserveMapOptions): ObservedNativeMap {
  if (!(map instanceof Map)) {
    throw new TypeError(`observeMap: expected a Map, got ${Object.prototype.toString.call(map)}`);
  }
  const name = checkName(options?.name);
  const target = map as unknown as AnyMap;
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

/** The handle of a map `observeMap` (or the zero-code mode) is observing, if any. */
export function observedMap<K, V>(map: Map<K, V>): ObservedNativeMap | undefined {
  return observations.get(map as unknown as AnyMap);
}

/**
 * The observation of a map the zero-code mode reached past its threshold: found (and named by
 * the source location of the call to `caller`) the first time, without instance methods, since the prototype wrappers see its
 * operations. Undefined for a map whose observation was ended with `unobserve()`.
 */
export function observationFor(map: AnyMap, caller: (...args: never[]) => unknown): NativeMapObservation | undefined {
  const known = observations.get(map);
  if (known !== undefined) return known;
  if (dismissed.has(map)) return undefined;
  const observation = new NativeMapObservation(map, callSiteName(caller));
  observations.set(map, observation);
  observation.announce();
  return observation;
}
