/**
 * lru-cache 7.0 to 7.17 take no `status` option, so the patch fills the status 7.18 would have
 * filled from the cache's internals: the key index (`keyMap`, key to slot), the slot's value
 * (`valList`) and its staleness (`isStale`), under these names in 7.0.4, 7.10.3 and 7.17.2 (the
 * releases the tests run).
 */
interface EarlyInternals {
  readonly size: number;
  readonly keyMap: Map<unknown, number>;
  readonly valList: unknown[];
  isStale(index: number): boolean;
}

/** The staleness lru-cache read in the `get` or `has` running, innermost first. */
let reading: { stale: boolean | undefined } | undefined;
/** The `isStale` functions installed here, each reporting what the one it replaced answers. */
const recorders = new WeakSet<object>();

/**
 * Makes the cache's `isStale` report what it answers to `reading`: replaced by a recorder as an
 * own property, again when lru-cache has installed one of its own since (TTL tracking does, on
 * the first entry with a TTL), so that the function lru-cache calls stays the same in between.
 */
function recordStaleness(cache: object): void {
  const internals = cache as EarlyInternals;
  const isStale = internals.isStale;
  if (recorders.has(isStale)) return;
  const recorder = (index: number): boolean => {
    const stale = isStale.call(cache, index);
    if (reading !== undefined && reading.stale === undefined) reading.stale = stale;
    return stale;
  };
  recorders.add(recorder);
  internals.isStale = recorder;
}

/**
 * Runs a `get` or `has` and says what it found, as 7.18's `status.get` / `status.has`: both ask
 * `isStale` first for the key's slot, exactly when the key is in the index (a dispose callback may
 * ask again later, for other caches or keys). The answer lru-cache got is the one recorded, not
 * one asked again: the clock may have moved between two readings.
 */
export function earlyRead(cache: object, read: () => unknown): { value: unknown; result: 'hit' | 'stale' | 'miss' } {
  recordStaleness(cache);
  const outer = reading;
  const frame: { stale: boolean | undefined } = { stale: undefined };
  reading = frame;
  let value: unknown;
  try {
    value = read();
  } finally {
    reading = outer;
  }
  return { value, result: frame.stale === undefined ? 'miss' : frame.stale ? 'stale' : 'hit' };
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
