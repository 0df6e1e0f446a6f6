// The lru-cache releases the instrumentation patches, as installed from npm under aliases (root
// devDependencies), with the export shape each major has.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LruCacheInstrumentation } from '../../src/lru/instrumentation';

/** The part of LRUCache (7.0 to 11.5) the tests use. */
export interface AnyLruCache {
  set(key: unknown, value: unknown, options?: object): unknown;
  get(key: unknown, options?: object): unknown;
  has(key: unknown, options?: object): boolean;
  peek(key: unknown, options?: object): unknown;
  delete(key: unknown): boolean;
  fetch(key: unknown, options?: object): Promise<unknown>;
  pop(): unknown;
  purgeStale(): boolean;
  clear(): void;
  readonly size: number;
}

export type AnyLruCacheClass = new (options: object) => AnyLruCache;

export interface Release {
  /** The alias it is installed under. */
  readonly alias: string;
  readonly version: string;
  /** The module's exports, as `require` gives them. */
  readonly exports: unknown;
  readonly LRUCache: AnyLruCacheClass;
  /** Whether `set` takes a `start` (7.10 on): a ttl that ended before the entry was stored. */
  readonly takesStart: boolean;
  /**
   * Whether `set` refuses an entry larger than `maxEntrySize`, by default `maxSize`, removing the
   * key's entry (7.17 on; before, storing the value an entry already holds changes nothing).
   */
  readonly refusesTooBig: boolean;
  /** Whether the cache has `fetch` (7.10 on). */
  readonly fetches: boolean;
  /**
   * Whether the cache has a `pop` (7.10 on) that removes the least recently used entry as 11.5's
   * does: in 7.x, popping again after a popped key was set anew leaves that key with a `null`
   * value and loses the newer one, so their series cannot be compared with 11.5's.
   */
  readonly pops: boolean;
  /** Whether `delete` takes an entry's size off `calculatedSize` once (7.0 takes it off twice). */
  readonly sizesExactly: boolean;
  /**
   * Whether deleting the only entry frees its slot once. 7.0 clears the cache and then frees the
   * slot again, so the next two keys stored share one slot and the first loses its value.
   */
  readonly emptiesCleanly: boolean;
}

function release(alias: string): Release {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(alias) as { LRUCache?: AnyLruCacheClass } & AnyLruCacheClass;
  const version = versionOf(require.resolve(alias));
  // lru-cache 7 exports the class itself; 8 the class with LRUCache on it; 9 and later { LRUCache }.
  const LRUCache = exports.LRUCache ?? exports;
  // Probed on fresh caches before any instrumentation patches the class.
  const stale = new LRUCache({ max: 1, ttlResolution: 0 });
  stale.set('k', 1, { ttl: 10, start: performance.now() - 1000 });
  const sized = new LRUCache({ max: 1, maxSize: 8, sizeCalculation: () => 1 });
  sized.set('k', 1);
  sized.set('k', 1, { size: 9 });
  const deleted = new LRUCache({ max: 2, maxSize: 8, sizeCalculation: () => 1 });
  deleted.set('a', 1);
  deleted.set('b', 1);
  deleted.delete('b');
  const emptied = new LRUCache({ max: 2 });
  emptied.set('a', 1);
  emptied.delete('a');
  emptied.set('a', 1);
  emptied.set('b', 2);
  const popped = new LRUCache({ max: 8 });
  const pops = typeof LRUCache.prototype.pop === 'function';
  if (pops) {
    popped.set(0, 0);
    popped.pop();
    popped.set(0, 0);
    popped.set(1, 0);
    popped.pop();
  }
  return {
    alias,
    version,
    exports,
    LRUCache,
    takesStart: !stale.has('k'),
    refusesTooBig: !sized.has('k'),
    fetches: typeof LRUCache.prototype.fetch === 'function',
    pops: pops && popped.has(1) && !popped.has(0),
    sizesExactly: (deleted as { calculatedSize?: number }).calculatedSize === 1,
    emptiesCleanly: emptied.get('a') === 1,
  };
}

/** The version of the package a resolved file belongs to (from 8.0 package.json is not exported). */
function versionOf(file: string): string {
  // dist/ folders hold package.json files of their own, with a type and no name.
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (manifest.name !== undefined && manifest.version !== undefined) return manifest.version;
  }
  throw new Error(`no package.json with a version above ${file}`);
}

/**
 * Every patched major (and 11.0, 11.1, 11.2; 7.0, 7.10 and 7.17, which fill no status of their
 * own), latest patch release of each, by alias.
 */
export const PATCHED_ALIASES: readonly string[] = [
  'lru-cache-7-0',
  'lru-cache-7-10',
  'lru-cache-7-17',
  'lru-cache-7',
  'lru-cache-8',
  'lru-cache-9',
  'lru-cache-10',
  'lru-cache-11-0',
  'lru-cache-11-1',
  'lru-cache-11-2',
];
/** A release that publishes on its own channels, the reference the patched ones must match. */
export const CHANNEL_ALIAS = 'lru-cache-11-5';

export const PATCHED_RELEASES: readonly Release[] = PATCHED_ALIASES.map(release);
export const CHANNEL_RELEASE: Release = release(CHANNEL_ALIAS);

/** Patches the release's class as the module hook would on `require`. */
export function patchRelease(instrumentation: LruCacheInstrumentation, target: Release): void {
  const definition = instrumentation
    .getModuleDefinitions()
    .find((d) => d.name === 'lru-cache' && typeof d.unpatch === 'function');
  if (definition?.patch === undefined) throw new Error('no lru-cache module definition with a patch');
  definition.patch(target.exports, target.version);
}
