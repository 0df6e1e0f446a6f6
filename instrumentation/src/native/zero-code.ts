import { engineLimit } from './engine-limit.js';
import { nativeMapMethods, nativeSetMethods } from './native-methods.js';
import {
  observationFor,
  type EngineDelete,
  type EngineInsert,
  type NativeCollection,
  type NativeMapObservation,
} from './observe-map.js';

/**
 * The delete bound when no delete can be counted in place: above any collection's size (the
 * engine's limit is 2^24), and a small integer, so that the wrappers compare integers where
 * `Infinity` would make them compare doubles.
 */
const NO_QUIET_DELETE = 2 ** 30 - 1;

/** What the wrappers compare a Map or Set with when the last tracked collection is not one: never passed to them. */
const NO_MAP: Map<unknown, unknown> = new Map();
const NO_SET: Set<unknown> = new Set();

/** Entries at which a native Map or Set is found and observed, unless configured otherwise. */
export const DEFAULT_NATIVE_MAPS_MIN = 65_536;

export interface NativeMapObserver {
  /** Entries at which a map is found. */
  readonly minEntries: number;
  /** Restores the engine's `Map.prototype.set`, `delete`, `clear` and `Set.prototype.add`, `delete`, `clear`; found collections stay known. */
  uninstall(): void;
}

const INSTALLED = Symbol.for('@presize/instrumentation/native-map-observer');
type Registry = { [INSTALLED]?: NativeMapObserver };
type AnyMap = Map<unknown, unknown>;
type AnySet = Set<unknown>;
type Wrapped = (...args: never[]) => unknown;

/**
 * An engine method as a function of the collection and the method's arguments. Compiled code
 * calls it straight away; `method.call(collection, …)` would first check, on every call, that the
 * method's `call` is still `Function.prototype.call`. Calling a bound function allocates nothing.
 */
function callerOf<C, A extends unknown[], R>(method: (this: C, ...args: A) => R): (collection: C, ...args: A) => R {
  return Function.prototype.call.bind(method) as (collection: C, ...args: A) => R;
}

/**
 * Zero-code mode: wraps `Map.prototype.set`, `delete` and `clear`, and `Set.prototype.add`,
 * `delete` and `clear`, so that any native `Map` or `Set` in the process that holds `minEntries`
 * entries is found at its next insert, named by the source location of that call, and observed
 * from then on as `observeMap` does, without touching the object itself (no instance property:
 * the engine's fast paths for `get` and `has` on it are kept). An insert or delete compares the
 * collection with the last one found and its size with one bound (the threshold, or that
 * collection's next rebuild), and calls the engine straight away unless the table may rebuild;
 * `get`, `has` and iteration are never wrapped. Installed once per process, whichever copy of the
 * package asks; a second call returns the first observer.
 */
export function installNativeMapObserver(options: { minEntries?: number } = {}): NativeMapObserver {
  const registry = globalThis as Registry;
  const installed = registry[INSTALLED];
  if (installed !== undefined) return installed;
  const minEntries = options.minEntries ?? DEFAULT_NATIVE_MAPS_MIN;
  if (!Number.isSafeInteger(minEntries) || minEntries < 1) {
    throw new RangeError(`minEntries must be a whole number of entries >= 1, got ${String(minEntries)}`);
  }
  // Resolved now, so that a bad PRESIZE_NATIVE_MAPS_ENGINE_LIMIT is reported at start-up.
  engineLimit();
  const { set: mapSet, delete: mapDelete, clear: mapClear } = nativeMapMethods;
  const { add: setAdd, delete: setDelete, clear: setClear } = nativeSetMethods;
  const [callMapSet, callMapDelete, callMapClear] = [callerOf(mapSet), callerOf(mapDelete), callerOf(mapClear)];
  const [callSetAdd, callSetDelete, callSetClear] = [callerOf(setAdd), callerOf(setDelete), callerOf(setClear)];
  // The observed collection of the last tracked operation and its observation, both set or both
  // undefined: a loop over one large collection finds it without a WeakMap lookup per operation.
  // Forgotten at the end of the current job, so the cache never keeps a collection alive.
  let lastTarget: NativeCollection | undefined;
  let lastObservation = undefined as unknown as NativeMapObservation;
  // What the wrappers read of it on every call, as fields of one object rather than variables of
  // the closure: V8 tracks the representation and type of an object's fields, not of a closure's
  // variables. The bounds stay small integers, so compiled code compares them without first
  // checking that they are; `map` only ever holds Maps and `set` only Sets (the other one a
  // private empty collection, never undefined), so `last.map === this` is a bare comparison where
  // `lastTarget === this` first checks the receiver's type (six instructions of every call). A
  // subclass instance, or a collection given properties of its own, has another hidden class: V8
  // then widens the field's type and compiled code checks again, slower and still correct.
  // The wrappers, inlined into the application's loops, read and write no property of an
  // observation, whose type feedback V8 dropped and re-learnt with a deoptimisation of the loop
  // each time an observed collection was collected. The deletes they count reach the model before
  // anything reads it: at the next out-of-line operation, the end of the job, or `stats()`.
  const last = { map: NO_MAP, set: NO_SET, insertBelow: 0, deleteAbove: NO_QUIET_DELETE };
  // A delete the wrappers count in place takes one off `last.insertBelow` (the deleted entry keeps
  // its slot until the next rebuild) and nothing else: what it lost since it was copied from the
  // observation is the number of deletes the model has yet to hear of.
  let copiedInsertBelow = 0;
  const applyCountedDeletes = () => {
    const counted = copiedInsertBelow - last.insertBelow;
    if (counted === 0) return;
    lastObservation.deleted(counted);
    copiedInsertBelow = last.insertBelow;
  };
  const copyBounds = () => {
    last.insertBelow = copiedInsertBelow = lastTarget === undefined ? 0 : lastObservation.quietInsertBelow;
    // A delete from a collection at the threshold may take it below: it goes the tracked way.
    last.deleteAbove =
      lastTarget === undefined
        ? NO_QUIET_DELETE
        : Math.min(Math.max(minEntries, lastObservation.quietDeleteAbove), NO_QUIET_DELETE);
  };
  const remember = (target: NativeCollection | undefined, observation: NativeMapObservation | undefined) => {
    applyCountedDeletes();
    if (lastTarget !== undefined) lastObservation.countDeletesWith(undefined);
    lastTarget = target;
    lastObservation = observation as NativeMapObservation;
    last.map = target instanceof Map ? target : NO_MAP;
    last.set = target instanceof Set ? target : NO_SET;
    observation?.countDeletesWith(applyCountedDeletes);
    copyBounds();
  };
  const forget = () => remember(undefined, undefined);
  const lookUp = (target: NativeCollection, caller: Wrapped): NativeMapObservation | undefined => {
    applyCountedDeletes();
    if (target === lastTarget) return lastObservation;
    const observation = observationFor(target, caller);
    if (observation === undefined) return undefined;
    if (lastTarget === undefined) queueMicrotask(forget);
    remember(target, observation);
    return observation;
  };

  // Below the threshold a collection's operations go unseen until it grows past it again; it stops
  // being the last one seen, so that the wrappers send its inserts to the engine as they do its
  // deletes, where its own insert bound would send them all the tracked way.
  const belowThreshold = (observation: NativeMapObservation) => {
    observation.markStale();
    forget();
  };

  // What the wrappers do when their comparisons cannot show that the engine may be called straight
  // away: find the collection's observation, and let it time the operation if the table rebuilds.
  const trackedInsert = <C extends NativeCollection>(
    target: C,
    key: unknown,
    value: unknown,
    engineInsert: EngineInsert<C>,
    caller: Wrapped,
  ): C => {
    const size = target.size;
    const observation = lookUp(target, caller);
    if (observation === undefined || size < observation.quietInsertBelow) return engineInsert.call(target, key, value);
    const result = observation.insert(size, key, value, engineInsert);
    copyBounds();
    return result;
  };
  const trackedDelete = (target: NativeCollection, key: unknown, engineDelete: EngineDelete, caller: Wrapped) => {
    const size = target.size;
    const observation = lookUp(target, caller);
    if (observation === undefined) return engineDelete.call(target, key);
    let deleted: boolean;
    if (size > observation.quietDeleteAbove) {
      deleted = engineDelete.call(target, key);
      if (deleted) observation.deleted();
    } else {
      deleted = observation.remove(size, key, engineDelete);
    }
    if (deleted && size - 1 < minEntries) belowThreshold(observation);
    else copyBounds();
    return deleted;
  };
  const trackedClear = (target: NativeCollection, engineClear: (this: NativeCollection) => void, caller: Wrapped) => {
    const observation = lookUp(target, caller);
    if (observation === undefined) return engineClear.call(target);
    observation.clear(engineClear);
    belowThreshold(observation);
  };
  // Each wrapper leaves its fast path through a function of the collection and the operation's own
  // arguments: the call site inlined into the application's loop then needs one constant, where
  // the engine's method and the wrapper as arguments were two more, kept in registers across the
  // loop at the cost of spilling the key.
  const trackedMapSet = (map: AnyMap, key: unknown, value: unknown) =>
    trackedInsert(map, key, value, mapSet as EngineInsert<AnyMap>, mapWrappers.set);
  const trackedMapDelete = (map: AnyMap, key: unknown) =>
    trackedDelete(map, key, mapDelete as EngineDelete, mapWrappers.delete);
  const trackedSetAdd = (set: AnySet, value: unknown) =>
    trackedInsert(set, value, undefined, setAdd as EngineInsert<AnySet>, setWrappers.add);
  const trackedSetDelete = (set: AnySet, value: unknown) =>
    trackedDelete(set, value, setDelete as EngineDelete, setWrappers.delete);

  // One function per engine method, each comparing the collection and its size only and calling
  // the engine, so that the compiler inlines it into the application's loop with feedback of its
  // own (a wrapper shared by Map and Set would see both and be slower for each). The collection is
  // compared first: the last one found then needs one size comparison, with its own bound, and any
  // other collection one, with the threshold. Nested `if`s rather than a conditional expression:
  // Node 24's Maglev compiler turns the latter into a boolean value it tests again. A delete from
  // the last collection seen, above both its shrink bound and the threshold, is counted in place.
  const mapWrappers = {
    set(this: AnyMap, key: unknown, value: unknown): AnyMap {
      const size = this.size;
      if (last.map === this) {
        if (size < last.insertBelow) return callMapSet(this, key, value);
      } else if (size < minEntries) {
        return callMapSet(this, key, value);
      }
      return trackedMapSet(this, key, value);
    },
    delete(this: AnyMap, key: unknown): boolean {
      const size = this.size;
      if (last.map === this && size > last.deleteAbove) {
        const deleted = callMapDelete(this, key);
        if (deleted) last.insertBelow -= 1;
        return deleted;
      }
      if (size < minEntries) return callMapDelete(this, key);
      return trackedMapDelete(this, key);
    },
    clear(this: AnyMap): void {
      if (this.size < minEntries) return callMapClear(this);
      trackedClear(this, mapClear as (this: NativeCollection) => void, mapWrappers.clear);
    },
  };
  const setWrappers = {
    add(this: AnySet, value: unknown): AnySet {
      const size = this.size;
      if (last.set === this) {
        if (size < last.insertBelow) return callSetAdd(this, value);
      } else if (size < minEntries) {
        return callSetAdd(this, value);
      }
      return trackedSetAdd(this, value);
    },
    delete(this: AnySet, value: unknown): boolean {
      const size = this.size;
      if (last.set === this && size > last.deleteAbove) {
        const deleted = callSetDelete(this, value);
        if (deleted) last.insertBelow -= 1;
        return deleted;
      }
      if (size < minEntries) return callSetDelete(this, value);
      return trackedSetDelete(this, value);
    },
    clear(this: AnySet): void {
      if (this.size < minEntries) return callSetClear(this);
      trackedClear(this, setClear as (this: NativeCollection) => void, setWrappers.clear);
    },
  };

  // Deleted, then defined anew: V8 then tracks the new property as a constant, so compiled code
  // that calls it checks nothing; overwritten in place, it would become a field every call loads
  // and compares. The method moves to the end of the prototype's own keys.
  const replace = (prototype: object, method: string, fn: Wrapped) => {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, method);
    delete (prototype as Record<string, unknown>)[method];
    Object.defineProperty(prototype, method, { ...descriptor, value: fn });
  };
  const patches: ReadonlyArray<[object, string, Wrapped, Wrapped]> = [
    [Map.prototype, 'set', mapWrappers.set, mapSet],
    [Map.prototype, 'delete', mapWrappers.delete, mapDelete],
    [Map.prototype, 'clear', mapWrappers.clear, mapClear],
    [Set.prototype, 'add', setWrappers.add, setAdd],
    [Set.prototype, 'delete', setWrappers.delete, setDelete],
    [Set.prototype, 'clear', setWrappers.clear, setClear],
  ];
  for (const [prototype, method, wrapper] of patches) replace(prototype, method, wrapper);

  const observer: NativeMapObserver = {
    minEntries,
    uninstall() {
      forget();
      for (const [prototype, method, wrapper, engine] of patches) {
        if ((prototype as Record<string, unknown>)[method] === wrapper) replace(prototype, method, engine);
      }
      if (registry[INSTALLED] === observer) delete registry[INSTALLED];
    },
  };
  registry[INSTALLED] = observer;
  return observer;
}
