import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * The part of an lru-cache `LRUCache` instance the instrumentation reads. Structural, so that any
 * installed copy or version of lru-cache matches and this package needs no dependency on it.
 */
export interface LruCacheLike {
  readonly size: number;
  readonly max: number;
  readonly maxSize: number;
  readonly calculatedSize: number;
}

/**
 * The fields of lru-cache's `LRUCache.Status` the instrumentation reads: the object published on
 * `lru-cache:metrics` and passed as context on the `lru-cache` tracing channel (lru-cache 11.3+;
 * `cache` from 11.4).
 */
export interface LruStatus {
  op?: 'get' | 'set' | 'has' | 'peek' | 'delete' | 'memo' | 'fetch';
  get?: string;
  set?: string;
  has?: string;
  peek?: string;
  memo?: string;
  fetch?: string;
  delete?: string;
  key?: unknown;
  cache?: LruCacheLike;
  fetchRejected?: true;
  fetchAborted?: true;
  /** Published by Presize's patch of lru-cache 7.0 to 11.2, not by lru-cache itself. */
  legacy?: true;
}

export interface LruCacheInstrumentationConfig extends InstrumentationConfig {
  /**
   * Observe each cache's key index (the native `Map` inside lru-cache) so that its table
   * rebuilds are reported as `v8_rehash` / `v8_shrink` growths, and count evictions from it.
   * Default true.
   */
  observeKeyIndex?: boolean;
  /**
   * Cache names (`presize.lru.name`) with series of their own, the overflow series
   * (`presize.lru.name="_overflow"`) included, as OpenTelemetry's cardinality limit counts it.
   * The SDK instruments keep every name they have seen, so this counts names since the start.
   * Default 100.
   */
  maxCacheSeries?: number;
}
