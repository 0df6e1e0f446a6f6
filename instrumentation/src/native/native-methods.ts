/**
 * The engine's own `Map.prototype.set`, `delete` and `clear`, recorded by the first copy of this
 * package to load, before any of them could be wrapped. Every copy (ESM and CommonJS builds, two
 * installed versions) shares the record through a global symbol, so an observed map always calls
 * the engine directly and never goes through the zero-code wrapper of another copy.
 */
export interface NativeMapMethods {
  readonly set: (this: Map<unknown, unknown>, key: unknown, value: unknown) => Map<unknown, unknown>;
  readonly delete: (this: Map<unknown, unknown>, key: unknown) => boolean;
  readonly clear: (this: Map<unknown, unknown>) => void;
}

const ORIGINALS = Symbol.for('@presize/instrumentation/native-map-methods');
type Registry = { [ORIGINALS]?: NativeMapMethods };

function recordOriginals(): NativeMapMethods {
  const registry = globalThis as Registry;
  const known = registry[ORIGINALS];
  if (known !== undefined) return known;
  const originals: NativeMapMethods = {
    set: Map.prototype.set,
    delete: Map.prototype.delete,
    clear: Map.prototype.clear,
  };
  Object.defineProperty(registry, ORIGINALS, { value: originals });
  return originals;
}

export const nativeMapMethods: NativeMapMethods = recordOriginals();
