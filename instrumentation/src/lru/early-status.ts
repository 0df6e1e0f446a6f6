/**
 * lru-cache 7.0 to 7.17 take no `status` option, so the patch fills the status 7.18 would have
 * filled from the cache's internals: the key index (`keyMap`, key to slot), the slot's value
 * (`valList`) and its staleness (`isStale`), under the same names in every 7.x release.
 */
interface EarlyInternals {
  readonly size: number;
  readonly keyMap: Map<unknown, number>;
  readonly valList: unknown[];
  isStale(index: number): boolean;
}

/**
 * Runs a `get` or `has` and says what it found, as 7.18's `status.get` / `status.has`: both ask
 * `isStale` once, for the key's slot, exactly when the key is in the index. The answer lru-cache
 * got is the one recorded, not one asked again (the clock moves between two readings).
 */
export function earlyRead(cache: object, read: () => unknown): { value: unknown; result: 'hit' | 'stale' | 'miss' } {
  const internals = cache as EarlyInternals;
  const isStale = internals.isStale;
  let stale: boolean | undefined;
  // Left as an own property after (the prototype's, or the one TTL tracking installed): deleting
  // it would turn the instance into a slow dictionary object.
  internals.isStale = (index: number) => (stale = isStale.call(cache, index));
  let value: unknown;
  try {
    value = read();
  } finally {
    internals.isStale = isStale;
  }
  return { value, result: stale === undefined ? 'miss' : stale ? 'stale' : 'hit' };
}

/** What `set` will do, before it does it: 7.18's `status.set` when the entry fits. */
export function earlySetResult(cache: object, key: unknown, value: unknown): 'add' | 'replace' | 'update' {
  const internals = cache as EarlyInternals;
  const index = internals.size === 0 ? undefined : internals.keyMap.get(key);
  if (index === undefined) return 'add';
  return internals.valList[index] === value ? 'update' : 'replace';
}

/** Whether a `set` just run left its key out: it was larger than `maxEntrySize` (7.18's `miss`). */
export function earlySetRefused(cache: object, key: unknown): boolean {
  return !(cache as EarlyInternals).keyMap.has(key);
}
