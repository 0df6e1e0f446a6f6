/**
 * What an lru-cache version publishes: nothing before 11.3; operations without the cache
 * instance in 11.3; operations with the instance (`status.cache`) from 11.4.
 */
export type LruCacheSupport = 'unobservable' | 'unattributed' | 'observable';

export function lruCacheSupport(version: string): LruCacheSupport {
  const match = /^(\d+)\.(\d+)\./.exec(version);
  if (match === null) return 'observable';
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major < 11 || (major === 11 && minor < 3)) return 'unobservable';
  if (major === 11 && minor === 3) return 'unattributed';
  return 'observable';
}
