/**
 * The engine's own `Map.prototype.set`, `delete` and `clear` (and `Set.prototype.add`, `delete`
 * and `clear`), recorded by the first copy of this package to load, before any of them could be
 * wrapped. Every copy (ESM and CommonJS builds, two installed versions) shares the record through
 * a global symbol, so an observed collection always calls the engine directly and never goes
 * through the zero-code wrapper of another copy.
 */
export interface NativeMapMethods {
  readonly set: (this: Map<unknown, unknown>, key: unknown, value: unknown) => Map<unknown, unknown>;
  readonly delete: (this: Map<unknown, unknown>, key: unknown) => boolean;
  readonly clear: (this: Map<unknown, unknown>) => void;
}

export interface NativeSetMethods {
  readonly add: (this: Set<unknown>, value: unknown) => Set<unknown>;
  readonly delete: (this: Set<unknown>, value: unknown) => boolean;
  readonly clear: (this: Set<unknown>) => void;
}

// Separate records: a copy of the package from before Sets were observed records only the Map's.
const MAP_ORIGINALS = Symbol.for('@presize/instrumentation/native-map-methods');
const SET_ORIGINALS = Symbol.for('@presize/instrumentation/native-set-methods');
type Registry = { [MAP_ORIGINALS]?: NativeMapMethods; [SET_ORIGINALS]?: NativeSetMethods };

function recordOnce<K extends typeof MAP_ORIGINALS | typeof SET_ORIGINALS>(
  key: K,
  read: () => NonNullable<Registry[K]>,
): NonNullable<Registry[K]> {
  const registry = globalThis as Registry;
  const known = registry[key];
  if (known !== undefined) return known as NonNullable<Registry[K]>;
  const originals = read();
  Object.defineProperty(registry, key, { value: originals });
  return originals;
}

export const nativeMapMethods: NativeMapMethods = recordOnce(MAP_ORIGINALS, () => ({
  set: Map.prototype.set,
  delete: Map.prototype.delete,
  clear: Map.prototype.clear,
}));

export const nativeSetMethods: NativeSetMethods = recordOnce(SET_ORIGINALS, () => ({
  add: Set.prototype.add,
  delete: Set.prototype.delete,
  clear: Set.prototype.clear,
}));
