import { nativeMapMethods } from '../native/native-methods.js';

type AnyMap = Map<unknown, unknown>;

/**
 * The native `Map` from keys to slots inside an lru-cache instance (`keyMap`), reached through
 * lru-cache's own `LRUCache.unsafeExposeInternals` (8.0 and later), or the instance's own
 * `keyMap` property in lru-cache 7.
 */
export function keyIndexOf(cache: object): AnyMap | undefined {
  const ctor = (cache as { constructor?: { unsafeExposeInternals?: unknown } }).constructor;
  const expose = ctor?.unsafeExposeInternals;
  let keyMap: unknown;
  try {
    keyMap =
      typeof expose === 'function'
        ? (expose.call(ctor, cache) as { keyMap?: unknown } | undefined)?.keyMap
        : (cache as { keyMap?: unknown }).keyMap;
  } catch {
    return undefined;
  }
  return keyMap instanceof Map ? keyMap : undefined;
}

/**
 * lru-cache removes a key from its key index in two places: `delete()` (and what calls it: stale
 * gets, rejected fetches, `set(k, undefined)`), which publishes a `delete` status first, and the
 * eviction of the least recently used entry, which publishes nothing. So a removal from the index
 * that no published delete announced is an eviction. `announced` holds the keys of announced
 * deletes not yet carried out (a stack: a dispose callback may run other operations in between).
 */
export interface EvictionWatch {
  readonly announced: unknown[];
  /** Called with the key of each eviction; the watch stays installed either way. */
  onEviction: ((key: unknown) => void) | undefined;
}

const watches = new WeakMap<AnyMap, EvictionWatch>();

/** Installs the watch on the key index once; later calls return the same watch. */
export function watchEvictions(keyMap: AnyMap): EvictionWatch {
  const known = watches.get(keyMap);
  if (known !== undefined) return known;
  const watch: EvictionWatch = { announced: [], onEviction: undefined };
  const own = Object.getOwnPropertyDescriptor(keyMap, 'delete')?.value as
    ((this: AnyMap, key: unknown) => boolean) | undefined;
  const remove = own ?? nativeMapMethods.delete;
  Object.defineProperty(keyMap, 'delete', {
    value: function delete_(this: AnyMap, key: unknown): boolean {
      const removed = remove.call(this, key);
      if (removed && this === keyMap) {
        const announced = watch.announced;
        const last = announced.length - 1;
        if (last >= 0 && sameValueZero(announced[last], key)) announced.pop();
        else watch.onEviction?.(key);
      }
      return removed;
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  watches.set(keyMap, watch);
  return watch;
}

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}
