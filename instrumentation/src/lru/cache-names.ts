import type { LruCacheLike } from './types.js';

/**
 * Names and generated ids of lru-cache instances, shared by every copy of this package so that a
 * cache named through the CommonJS build is known to an instrumentation loaded as ESM. Entries
 * are keyed weakly: naming a cache never keeps it alive.
 */
interface CacheNames {
  readonly names: WeakMap<object, string>;
  /** Named caches, for the instrumentation to visit; swept of collected ones as it goes. */
  readonly named: Set<WeakRef<object>>;
}

/**
 * The `presize.lru.name` of every cache never named: one series for them all, since a service
 * that creates caches per request or per tenant without naming them would otherwise make one
 * series per cache.
 */
export const UNNAMED_CACHE = '_unnamed';

const NAMES = Symbol.for('@presize/instrumentation/lru-cache-names');
type Registry = { [NAMES]?: CacheNames };

function shared(): CacheNames {
  const registry = globalThis as Registry;
  let known = registry[NAMES];
  if (known === undefined) {
    known = { names: new WeakMap(), named: new Set() };
    Object.defineProperty(registry, NAMES, { value: known });
  }
  return known;
}

/**
 * Gives an lru-cache instance the name its telemetry carries (`presize.lru.name`). Call it once
 * after creating the cache, before its first operation; telemetry already reported under a
 * generated id keeps that id. Returns the cache.
 */
export function nameCache<C extends object>(cache: C, name: string): C {
  if (typeof cache !== 'object' || cache === null) {
    throw new TypeError(`nameCache: expected an lru-cache instance, got ${String(cache)}`);
  }
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TypeError(`nameCache: name must be a non-empty string, got ${JSON.stringify(name) ?? String(name)}`);
  }
  const registry = shared();
  if (!registry.names.has(cache)) registry.named.add(new WeakRef(cache));
  registry.names.set(cache, name);
  return cache;
}

/** The cache's name; `_unnamed` for a cache never named. */
export function cacheName(cache: object): string {
  return shared().names.get(cache) ?? UNNAMED_CACHE;
}

/** The live caches given a name with `nameCache`. */
export function* namedCaches(): IterableIterator<LruCacheLike> {
  const registry = shared();
  for (const ref of registry.named) {
    const cache = ref.deref();
    if (cache === undefined) registry.named.delete(ref);
    else yield cache as LruCacheLike;
  }
}
