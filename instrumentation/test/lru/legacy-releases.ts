// The lru-cache releases the instrumentation patches, as installed from npm under aliases (root
// devDependencies), with the export shape each major has.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LruCacheInstrumentation } from '../../src/lru/instrumentation';

/** The part of LRUCache (7.18 to 11.5) the tests use. */
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
}

function release(alias: string): Release {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(alias) as { LRUCache?: AnyLruCacheClass } & AnyLruCacheClass;
  const version = versionOf(require.resolve(alias));
  // lru-cache 7 exports the class itself; 8 the class with LRUCache on it; 9 and later { LRUCache }.
  return { alias, version, exports, LRUCache: exports.LRUCache ?? exports };
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

/** Every patched major (and 11.0, 11.1, 11.2), latest patch release of each, by alias. */
export const PATCHED_ALIASES: readonly string[] = [
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
