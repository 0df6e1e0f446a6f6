import { callSiteName } from './call-site.js';
import { nativeMapMethods } from './native-methods.js';
import { observeMap, observedMap } from './observe-map.js';

/** Entries at which a native map is found and observed, unless configured otherwise. */
export const DEFAULT_NATIVE_MAPS_MIN = 65_536;

export interface NativeMapObserver {
  /** Entries at which a map is found. */
  readonly minEntries: number;
  /** Restores `Map.prototype.set`. Maps already found stay observed. */
  uninstall(): void;
}

const INSTALLED = Symbol.for('@presize/instrumentation/native-map-observer');
type Registry = { [INSTALLED]?: NativeMapObserver };

/**
 * Zero-code mode: wraps `Map.prototype.set` so that any native `Map` in the process that reaches
 * `minEntries` entries is found, named by the source location of the `set()` that got it there,
 * and observed from then on exactly as `observeMap` does (its own `set`, `delete` and `clear`, so
 * it no longer goes through the prototype). A map below the threshold pays one size comparison
 * per `set`; `get`, `has`, `delete`, `clear` and iteration are untouched. Installed once per
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
  const engineSet = nativeMapMethods.set;

  function set(this: Map<unknown, unknown>, key: unknown, value: unknown): Map<unknown, unknown> {
    const result = engineSet.call(this, key, value);
    if (this.size < minEntries) return result;
    // Reached only by a map that is not observed yet: an observed map has its own `set`.
    if (observedMap(this) === undefined) observeMap(this, { name: callSiteName(set) });
    return result;
  }

  Object.defineProperty(Map.prototype, 'set', { ...Object.getOwnPropertyDescriptor(Map.prototype, 'set'), value: set });
  const observer: NativeMapObserver = {
    minEntries,
    uninstall() {
      if (Map.prototype.set === set) {
        Object.defineProperty(Map.prototype, 'set', { ...Object.getOwnPropertyDescriptor(Map.prototype, 'set'), value: engineSet });
      }
      if (registry[INSTALLED] === observer) delete registry[INSTALLED];
    },
  };
  registry[INSTALLED] = observer;
  return observer;
}
