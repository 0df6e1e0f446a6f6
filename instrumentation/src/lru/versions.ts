/**
 * How an lru-cache version is observed: not at all before 7.0 (no key index to read the results
 * from); by Presize's patch of its class from 7.0 to 11.2 (no diagnostics channels);
 * from its own channels, without the cache instance in 11.3; with it (`status.cache`) from 11.4.
 */
export type LruCacheSupport = 'unobservable' | 'patched' | 'unattributed' | 'observable';

/** The releases whose class is patched, as a module definition's semver range. */
export const PATCHED_VERSIONS = '>=7.0.0 <11.3.0';

export function lruCacheSupport(version: string): LruCacheSupport {
  const match = /^(\d+)\.(\d+)\./.exec(version);
  if (match === null) return 'observable';
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major < 7) return 'unobservable';
  if (major < 11 || (major === 11 && minor < 3)) return 'patched';
  if (major === 11 && minor === 3) return 'unattributed';
  return 'observable';
}

/** Whether a patched release fills a `status` option (7.18 on); before, the patch fills it itself. */
export function fillsStatus(version: string): boolean {
  const match = /^(\d+)\.(\d+)\./.exec(version);
  return match === null || Number(match[1]) > 7 || Number(match[2]) >= 18;
}
