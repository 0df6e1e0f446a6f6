import { engineLimit } from './engine-limit.js';
import { nativeMapMethods, nativeSetMethods } from './native-methods.js';
import {
  observationFor,
  type EngineDelete,
  type EngineInsert,
  type NativeCollection,
  type NativeMapObservation,
} from './observe-map.js';

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
 * Zero-code mode: wraps `Map.prototype.set`, `delete` and `clear`, and `Set.prototype.add`,
 * `delete` and `clear`, so that any native `Map` or `Set` in the process that holds `minEntries`
 * entries is found at its next insert, named by the source location of that call, and observed
 * from then on as `observeMap` does, without touching the object itself (no instance property:
 * the engine's fast paths for `get` and `has` on it are kept). A collection below the threshold
 * pays one size comparison per insert and delete; one past it two more, until an insert or
 * delete rebuilds its table; `get`, `has` and iteration are never wrapped. Installed once per
 * process, whichever copy of the package asks; a second call returns the first observer.
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
  const mapEngine = nativeMapMethods;
  const setEngine = nativeSetMethods;
  // The collection of the last tracked operation and its observation: a loop over one large
  // collection finds it without a WeakMap lookup per operation. Forgotten at the end of the
  // current job, so the cache never keeps a collection alive.
  let lastTarget: NativeCollection | undefined;
  let lastObservation: NativeMapObservation | undefined;
  const forget = () => {
    lastTarget = undefined;
    lastObservation = undefined;
  };
  const lookUp = (target: NativeCollection, caller: Wrapped) => {
    const observation = observationFor(target, caller);
    if (lastTarget === undefined) queueMicrotask(forget);
    lastTarget = target;
    lastObservation = observation;
    return observation;
  };
  /** After a delete the engine did: below the threshold its operations go unseen until it grows past it again. */
  const afterDelete = (observation: NativeMapObservation, size: number, deleted: boolean) => {
    if (deleted && size - 1 < minEntries) observation.stale = true;
    return deleted;
  };

  /**
   * `delete` and `clear` of one kind of collection, `engine` being its own: a Map's and a Set's are
   * the same but for the engine methods they call.
   */
  const removals = <C extends NativeCollection>(engine: {
    readonly delete: (this: C, key: unknown) => boolean;
    readonly clear: (this: C) => void;
  }) => {
    const wrappers = {
      delete(this: C, key: unknown): boolean {
        const size = this.size;
        if (size < minEntries) return engine.delete.call(this, key);
        const observation = this === lastTarget ? lastObservation : lookUp(this, wrappers.delete);
        if (observation === undefined) return engine.delete.call(this, key);
        if (!observation.quietDelete(size)) {
          return afterDelete(observation, size, observation.remove(size, key, engine.delete as EngineDelete));
        }
        const deleted = engine.delete.call(this, key);
        if (deleted) observation.deleted();
        return afterDelete(observation, size, deleted);
      },
      clear(this: C): void {
        if (this.size < minEntries) return engine.clear.call(this);
        const observation = this === lastTarget ? lastObservation : lookUp(this, wrappers.clear);
        if (observation === undefined) return engine.clear.call(this);
        observation.clear(engine.clear as (this: NativeCollection) => void);
        observation.stale = true;
      },
    };
    return wrappers;
  };

  const mapWrappers = {
    set(this: AnyMap, key: unknown, value: unknown): AnyMap {
      const size = this.size;
      if (size < minEntries) return mapEngine.set.call(this, key, value);
      const observation = this === lastTarget ? lastObservation : lookUp(this, mapWrappers.set);
      if (observation === undefined || observation.quietInsert(size)) return mapEngine.set.call(this, key, value);
      return observation.insert(size, key, value, mapEngine.set as EngineInsert<AnyMap>);
    },
    ...removals(mapEngine),
  };

  const setWrappers = {
    add(this: AnySet, value: unknown): AnySet {
      const size = this.size;
      if (size < minEntries) return setEngine.add.call(this, value);
      const observation = this === lastTarget ? lastObservation : lookUp(this, setWrappers.add);
      if (observation === undefined || observation.quietInsert(size)) return setEngine.add.call(this, value);
      return observation.insert(size, value, undefined, setEngine.add as EngineInsert<AnySet>);
    },
    ...removals(setEngine),
  };

  const replace = (prototype: object, method: string, fn: Wrapped) =>
    Object.defineProperty(prototype, method, { ...Object.getOwnPropertyDescriptor(prototype, method), value: fn });
  const patches: ReadonlyArray<[object, string, Wrapped, Wrapped]> = [
    [Map.prototype, 'set', mapWrappers.set, mapEngine.set],
    [Map.prototype, 'delete', mapWrappers.delete, mapEngine.delete],
    [Map.prototype, 'clear', mapWrappers.clear, mapEngine.clear],
    [Set.prototype, 'add', setWrappers.add, setEngine.add],
    [Set.prototype, 'delete', setWrappers.delete, setEngine.delete],
    [Set.prototype, 'clear', setWrappers.clear, setEngine.clear],
  ];
  for (const [prototype, method, wrapper] of patches) replace(prototype, method, wrapper);

  const observer: NativeMapObserver = {
    minEntries,
    uninstall() {
      for (const [prototype, method, wrapper, engine] of patches) {
        if ((prototype as Record<string, unknown>)[method] === wrapper) replace(prototype, method, engine);
      }
      if (registry[INSTALLED] === observer) delete registry[INSTALLED];
    },
  };
  registry[INSTALLED] = observer;
  return observer;
}
