import diagnostics_channel from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';
import { MAP_CHANNELS, type GrowEndEvent } from '@presize/map';
import { observedMap } from '../../src/native/observe-map';
import { nameCache } from '../../src/lru/cache-names';
import { LruCacheInstrumentation } from '../../src/lru/instrumentation';
import { keyIndexOf } from '../../src/lru/key-index';
import { exercise } from './cache-workload.cjs';
import {
  expectStaleReadCounted,
  expectWorkloadCounted,
  operation,
  pointValue,
  testMeterProvider,
} from './metrics-reader';
import { captureDiagWarnings } from '../../../test/support/diag-warnings.js';

describe('LruCacheInstrumentation with lru-cache 11', () => {
  let instrumentation: LruCacheInstrumentation;
  let telemetry: ReturnType<typeof testMeterProvider>;

  beforeEach(() => {
    telemetry = testMeterProvider();
    instrumentation = new LruCacheInstrumentation();
    instrumentation.setMeterProvider(telemetry.provider);
  });
  afterEach(async () => {
    instrumentation.disable();
    await telemetry.provider.shutdown();
  });

  it('counts every operation by result, and evictions apart from deletes, exactly', async () => {
    exercise(nameCache(new LRUCache<string, number>({ max: 3 }), 'sessions'));
    const metrics = await telemetry.collect();
    expectWorkloadCounted(metrics, 'sessions');
    expect(metrics.get('presize.lru.calculated_size')).toBeUndefined();
  });

  it('counts stale reads and their expiry as deletes, not evictions', async () => {
    let now = 1000;
    const cache = nameCache(
      new LRUCache<string, string>({ max: 10, ttl: 50, ttlResolution: 0, perf: { now: () => now } }),
      'tokens',
    );
    cache.set('x', 'v');
    cache.set('y', 'v');
    now += 100;
    expect(cache.get('x')).toBeUndefined();
    expectStaleReadCounted(await telemetry.collect(), 'tokens');
  });

  it('reports calculatedSize against maxSize and evictions made for size', async () => {
    const cache = nameCache(new LRUCache<string, string>({ maxSize: 10, sizeCalculation: (v) => v.length }), 'blobs');
    cache.set('k1', 'aaaa');
    cache.set('k2', 'bbbb');
    cache.set('k3', 'cccc'); // 12 > 10: evicts k1
    const metrics = await telemetry.collect();
    const blobs = { 'presize.lru.name': 'blobs' };
    expect(pointValue(metrics.get('presize.lru.calculated_size'), blobs)).toBe(8);
    expect(pointValue(metrics.get('presize.lru.max_size'), blobs)).toBe(10);
    expect(pointValue(metrics.get('presize.lru.evictions'), blobs)).toBe(1);
    expect(pointValue(metrics.get('presize.lru.max'), blobs)).toBe(0);
  });

  it('times fetches from the tracing channel, by result and outcome', async () => {
    // When the origin's wait ended, on the instrumentation's clock: a timer of 20 ms may fire
    // sooner after the call than that, since the event loop counts it from the loop's cached time.
    let originDone = 0;
    const cache = nameCache(
      new LRUCache<string, string>({
        max: 10,
        fetchMethod: async (key) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          if (key === 'k') originDone = performance.now();
          if (key === 'bad') throw new Error('origin down');
          return `value of ${key}`;
        },
      }),
      'origin',
    );
    // lru-cache calls the origin first and starts its trace after, before fetch() returns: from
    // here on, the fetch is being timed.
    const fetching = cache.fetch('k');
    const returned = performance.now();
    await expect(fetching).resolves.toBe('value of k');
    const waitedMs = originDone - returned;
    await expect(cache.fetch('k')).resolves.toBe('value of k');
    await expect(cache.fetch('bad')).rejects.toThrow('origin down');
    const metrics = await telemetry.collect();
    const ops = metrics.get('presize.lru.operations');
    expect(pointValue(ops, operation('origin', 'fetch', 'miss'))).toBe(2);
    expect(pointValue(ops, operation('origin', 'fetch', 'hit'))).toBe(1);
    const durations = metrics.get('presize.lru.fetch.duration');
    const miss = pointValue(durations, {
      'presize.lru.name': 'origin',
      'presize.lru.result': 'miss',
      'presize.lru.fetch.outcome': 'resolved',
    }) as { count: number; sum: number };
    expect(miss.count).toBe(1);
    // The fetch's duration encloses the origin's asynchronous wait.
    expect(waitedMs).toBeGreaterThan(1);
    expect(miss.sum).toBeGreaterThanOrEqual(waitedMs / 1000);
    const rejected = pointValue(durations, {
      'presize.lru.name': 'origin',
      'presize.lru.fetch.outcome': 'rejected',
    }) as { count: number };
    expect(rejected.count).toBe(1);
    const hit = pointValue(durations, { 'presize.lru.result': 'hit' }) as { count: number; sum: number };
    expect(hit.count).toBe(1);
    expect(hit.sum).toBeLessThan(miss.sum);
  });

  it('counts the caches never named in one series, _unnamed', async () => {
    const first = new LRUCache<number, number>({ max: 5 });
    const second = new LRUCache<number, number>({ max: 7 });
    first.set(1, 1);
    first.get(1);
    second.get(1);
    const metrics = await telemetry.collect();
    const names = new Set((metrics.get('presize.lru.operations') ?? []).map((p) => p.attributes['presize.lru.name']));
    expect([...names]).toEqual(['_unnamed']);
    expect(pointValue(metrics.get('presize.lru.operations'), operation('_unnamed', 'get', 'hit'))).toBe(1);
    expect(pointValue(metrics.get('presize.lru.operations'), operation('_unnamed', 'get', 'miss'))).toBe(1);
    expect(pointValue(metrics.get('presize.lru.max'), { 'presize.lru.name': '_unnamed' })).toBe(12);
  });

  it('gives at most maxCacheSeries - 1 names a series, the rest one overflow series, with one warning', async () => {
    instrumentation.disable();
    const warnings = captureDiagWarnings();
    const capped = new LruCacheInstrumentation({ maxCacheSeries: 3 });
    capped.setMeterProvider(telemetry.provider);
    try {
      for (const name of ['a', 'b', 'c', 'd', 'e', 'a'])
        nameCache(new LRUCache<number, number>({ max: 4 }), name).get(1);
      const metrics = await telemetry.collect();
      const points = metrics.get('presize.lru.operations') ?? [];
      expect(points.map((p) => p.attributes['presize.lru.name']).sort()).toEqual(['_overflow', 'a', 'b']);
      expect(pointValue(points, operation('a', 'get', 'miss'))).toBe(2);
      expect(pointValue(points, { ...operation('_overflow', 'get', 'miss'), 'otel.metric.overflow': true })).toBe(3);
      expect(warnings.filter((w) => w.includes('maxCacheSeries'))).toHaveLength(1);
      expect(() => new LruCacheInstrumentation({ maxCacheSeries: 1 })).toThrow(
        'maxCacheSeries must be an integer >= 2',
      );
    } finally {
      capped.disable();
      diag.disable();
    }
  });

  it('observes the key index, a native Map, and reports its rebuilds as v8_rehash growths', () => {
    const ends: GrowEndEvent[] = [];
    const onEnd = (event: unknown) => ends.push(event as GrowEndEvent);
    diagnostics_channel.subscribe(MAP_CHANNELS.growEnd, onEnd);
    try {
      const cache = nameCache(new LRUCache<number, number>({ max: 2 ** 17 + 16 }), 'profiles');
      for (let i = 0; i <= 2 ** 16; i++) cache.set(i, i);
      const keyIndex = keyIndexOf(cache);
      expect(keyIndex?.size).toBe(2 ** 16 + 1);
      expect(observedMap(keyIndex as Map<unknown, unknown>)?.name).toBe('profiles.key_index');
    } finally {
      diagnostics_channel.unsubscribe(MAP_CHANNELS.growEnd, onEnd);
    }
    const own = ends.filter((e) => e.name === 'profiles.key_index');
    expect(own).toHaveLength(15);
    expect(own.at(-1)).toMatchObject({ kind: 'v8_rehash', oldB: 15, newB: 16, size: 2 ** 16 + 1 });
    expect(own.every((e) => e.durationNs > 0)).toBe(true);
  });

  it('stops counting when disabled, and resumes when enabled again', async () => {
    const cache = nameCache(new LRUCache<string, number>({ max: 1 }), 'toggled');
    cache.set('a', 1);
    instrumentation.disable();
    cache.set('b', 1); // evicts a, unseen
    cache.get('b');
    instrumentation.enable();
    cache.set('c', 1); // evicts b
    const metrics = await telemetry.collect();
    const toggled = { 'presize.lru.name': 'toggled' };
    expect(pointValue(metrics.get('presize.lru.evictions'), toggled)).toBe(1);
    expect(pointValue(metrics.get('presize.lru.operations'), operation('toggled', 'set', 'add'))).toBe(2);
    expect(pointValue(metrics.get('presize.lru.operations'), operation('toggled', 'get', 'hit'))).toBe(0);
  });
});
