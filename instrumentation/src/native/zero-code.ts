import { nativeMapMethods } from './native-methods.js';
import { observationFor, type NativeMapObservation } from './observe-map.js';

/** Entries at which a native map is found and observed, unless configured otherwise. */
export const DEFAULT_NATIVE_MAPS_MIN = 65_536;

export interface NativeMapObserver {
  /** Entries at which a map is found. */
  readonly minEntries: number;
  /** Restores the engine's `Map.prototype.set`, `delete` and `clear`; found maps stay known. */
  uninstall(): void;
}

const INSTALLED = Symbol.for('@presize/instrumentation/native-map-observer');
type Registry = { [INSTALLED]?: NativeMapObserver };
type AnyMap = Map<unknown, unknown>;

/**
 * Zero-code mode: wraps `Map.prototype.set`, `delete` and `clear` so that any native `Map` in the
 * process that holds `minEntries` entries is found at its next `set`, named by the source
 * location of that call, and observed from then on as `observeMap` does, without touching the
 * map object itself (no instance property: the engine's fast paths for `get` and `has` on it are
 * kept). A map below the threshold pays one size comparison per `set` and `delete`; `get`,
 * `has` and iteration are never wrapped. Installed once per process, whichever copy of the
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
  const engine = nativeMapMethods;
  // The map of the last tracked operation and its observation: a loop over one large map finds
  // it without a WeakMap lookup per operation. Forgotten at the end of the current job, so the
  // cache never keeps a map alive.
  let lastMap: AnyMap | undefined;
  let lastObservation: NativeMapObservation | undefined;
  const forget = () => {
    lastMap = undefined;
    lastObservation = undefined;
  };
  const observationOf = (map: AnyMap, caller: (...args: never[]) => unknown) => {
    if (map === lastMap) return lastObservation;
    const observation = observationFor(map, caller);
    if (lastMap === undefined) queueMicrotask(forget);
    lastMap = map;
    lastObservation = observation;
    return observation;
  };

  const wrappers = {
    set(this: AnyMap, key: unknown, value: unknown): AnyMap {
      const size = this.size;
      if (size < minEntries) return engine.set.call(this, key, value);
      const observation = observationOf(this, wrappers.set);
      return observation === undefined ? engine.set.call(this, key, value) : observation.set(engine.set, key, value, size);
    },
    delete(this: AnyMap, key: unknown): boolean {
      const size = this.size;
      if (size < minEntries) return engine.delete.call(this, key);
      const observation = observationOf(this, wrappers.delete);
      if (observation === undefined) return engine.delete.call(this, key);
      const deleted = observation.delete(engine.delete, key, size);
      // Below the threshold its operations go unseen until it grows past it again.
      if (deleted && size - 1 < minEntries) observation.stale = true;
      return deleted;
    },
    clear(this: AnyMap): void {
      if (this.size < minEntries) return engine.clear.call(this);
      const observation = observationOf(this, wrappers.clear);
      if (observation === undefined) return engine.clear.call(this);
      observation.clear(engine.clear);
      observation.stale = true;
    },
  };

  const replace = (method: keyof typeof wrappers, fn: (...args: never[]) => unknown) =>
    Object.defineProperty(Map.prototype, method, { ...Object.getOwnPropertyDescriptor(Map.prototype, method), value: fn });
  for (const method of ['set', 'delete', 'clear'] as const) replace(method, wrappers[method]);

  const observer: NativeMapObserver = {
    minEntries,
    uninstall() {
      for (const method of ['set', 'delete', 'clear'] as const) {
        if (Map.prototype[method] === wrappers[method]) replace(method, engine[method]);
      }
      if (registry[INSTALLED] === observer) delete registry[INSTALLED];
    },
  };
  registry[INSTALLED] = observer;
  return observer;
}
