// lru-cache 7.0 to 11.2 publish nothing: the instrumentation patches their class. Each release
// from npm must give the metrics lru-cache 11.5 gives through its own channels, for the same
// operations (those the release has alike); and behave exactly as unpatched.
import fc from 'fast-check';
import { nameCache } from '../../src/lru/cache-names';
import { LruCacheInstrumentation } from '../../src/lru/instrumentation';
import { fillsStatus, lruCacheSupport } from '../../src/lru/versions';
import {
  CHANNEL_RELEASE,
  PATCHED_RELEASES,
  patchRelease,
  type Release,
  type AnyLruCache,
  type AnyLruCacheClass,
} from './legacy-releases';
import { exercise } from './cache-workload.cjs';
import {
  expectStaleReadCounted,
  expectWorkloadCounted,
  operation,
  pointValue,
  testMeterProvider,
  type CollectedPoint,
} from './metrics-reader';

/** One step of an application's use of a cache; keys from a small set, so that they collide. */
type Command =
  | { op: 'set'; key: number; value: number }
  | { op: 'setStale'; key: number; value: number }
  | { op: 'setTooBig'; key: number }
  | { op: 'get' | 'has' | 'peek' | 'delete'; key: number }
  | { op: 'pop' | 'purgeStale' | 'clear' };

const key = fc.integer({ min: 0, max: 6 });

/** The commands the release has with 11.5's meaning (it may lack `start`, `maxEntrySize`, `pop`). */
function commandOf(release: Release): fc.Arbitrary<Command> {
  const value = fc.integer({ min: 0, max: 2 });
  const staleSet = fc.record({ op: fc.constant('setStale' as const), key, value });
  const tooBig = fc.record({ op: fc.constant('setTooBig' as const), key });
  const wholeCacheOps = [...(release.pops ? ['pop' as const] : []), 'purgeStale' as const, 'clear' as const];
  return fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('set' as const), key, value }), weight: 6 },
    ...(release.takesStart ? [{ arbitrary: staleSet, weight: 2 }] : []),
    ...(release.refusesTooBig ? [{ arbitrary: tooBig, weight: 1 }] : []),
    { arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const, 'peek' as const), key }), weight: 6 },
    { arbitrary: fc.record({ op: fc.constant('delete' as const), key }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constantFrom(...wholeCacheOps) }), weight: 1 },
  );
}

/** A cache of 4 entries, and when sized of size 8, entries of size 1 (9 for the big ones). */
function newCache(LRUCache: AnyLruCacheClass, sized: boolean): AnyLruCache {
  if (!sized) return new LRUCache({ max: 4, ttlResolution: 0 });
  return new LRUCache({ max: 4, maxSize: 8, sizeCalculation: () => 1, ttlResolution: 0 });
}

/** A status object without the clock readings, which differ from one run to the next. */
function timeless(status: Record<string, unknown>): Record<string, unknown> {
  const { now: _now, remainingTTL: _remaining, start: _start, ...rest } = status;
  return rest;
}

/** Runs the commands; returns what each call returned and the status objects lru-cache filled. */
function run(cache: AnyLruCache, commands: readonly Command[]): unknown[] {
  const outcomes: unknown[] = [];
  for (const c of commands) {
    const status: Record<string, unknown> = {};
    switch (c.op) {
      case 'set':
        outcomes.push(cache.set(c.key, c.value, { status }) === cache, timeless(status));
        break;
      case 'setStale':
        // Stale from the start: its ttl ended before it was stored. Started 1 ms after the clock's
        // origin, not a second before now: lru-cache 7 reads a clock it caches until a timer clears
        // it, and while the property's runs keep the event loop busy that cached time can lag
        // behind performance.now() by more than a second.
        outcomes.push(cache.set(c.key, c.value, { ttl: 10, start: 1 }) === cache);
        break;
      case 'setTooBig':
        outcomes.push(cache.set(c.key, 0, { size: 9, status }) === cache, timeless(status));
        break;
      case 'get':
      case 'has':
        outcomes.push(cache[c.op](c.key, { status }), timeless(status));
        break;
      case 'peek':
      case 'delete':
        outcomes.push(cache[c.op](c.key));
        break;
      case 'pop':
      case 'purgeStale':
      case 'clear':
        outcomes.push(cache[c.op]());
        break;
    }
  }
  outcomes.push(cache.size);
  return outcomes;
}

/** Whether a `delete` among the commands removes the only entry of the cache (as 11.5 runs them). */
function deletesOnlyEntry(commands: readonly Command[], sized: boolean): boolean {
  const cache = newCache(CHANNEL_RELEASE.LRUCache, sized);
  return commands.some((c) => {
    const emptying = c.op === 'delete' && cache.size === 1 && cache.has(c.key);
    run(cache, [c]);
    return emptying;
  });
}

/** The series of one cache name, the name itself left out, in a comparable order. */
function seriesOf(metrics: Map<string, CollectedPoint[]>, name: string): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [metric, points] of metrics) {
    out[metric] = points
      .filter((p) => p.attributes['presize.lru.name'] === name && p.value !== 0)
      .map(({ attributes, value }) => {
        const rest = Object.fromEntries(Object.entries(attributes).filter(([k]) => k !== 'presize.lru.name'));
        return JSON.stringify([rest, value]);
      })
      .sort();
  }
  return out;
}

/**
 * Fetches into a cache of 2 entries named `name`: a miss, a hit, a set, a rejected fetch, and a
 * miss that evicts the first key.
 */
async function fetchWorkload(release: Release, name: string): Promise<void> {
  const cache = nameCache(
    new release.LRUCache({
      max: 2,
      fetchMethod: async (k: unknown) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (k === 'bad') throw new Error('origin down');
        return `value of ${String(k)}`;
      },
    }),
    name,
  );
  await expect(cache.fetch('k')).resolves.toBe('value of k');
  await expect(cache.fetch('k')).resolves.toBe('value of k');
  cache.set('other', 'x');
  await expect(cache.fetch('bad')).rejects.toThrow('origin down');
  await expect(cache.fetch('n')).resolves.toBe('value of n'); // evicts k
}

describe.each(PATCHED_RELEASES.map((r) => [r.version, r] as const))('lru-cache %s, patched', (_, release) => {
  let instrumentation: LruCacheInstrumentation;
  let telemetry: ReturnType<typeof testMeterProvider>;

  beforeEach(() => {
    telemetry = testMeterProvider();
    instrumentation = new LruCacheInstrumentation();
    instrumentation.setMeterProvider(telemetry.provider);
    patchRelease(instrumentation, release);
  });
  afterEach(async () => {
    instrumentation.disable();
    await telemetry.provider.shutdown();
  });

  it('is a release the module hook patches', () => {
    expect(lruCacheSupport(release.version)).toBe('patched');
  });

  it('counts every operation by result, and evictions apart from deletes, exactly', async () => {
    exercise(nameCache(new release.LRUCache({ max: 3 }), 'sessions'));
    const metrics = await telemetry.collect();
    expectWorkloadCounted(metrics, 'sessions');
  });

  it('counts a stale read and its removal as a delete of reason expire, not an eviction', async () => {
    const cache = nameCache(new release.LRUCache({ max: 10, ttlResolution: 0 }), 'tokens');
    if (release.takesStart) {
      cache.set('x', 'v', { ttl: 10, start: performance.now() - 1000 });
    } else {
      // No `start` before 7.10: the ttl is let run out.
      cache.set('x', 'v', { ttl: 1 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    cache.set('y', 'v');
    expect(cache.get('x')).toBeUndefined();
    expectStaleReadCounted(await telemetry.collect(), 'tokens');
  });

  const fetchesWithStatus = release.fetches && fillsStatus(release.version);
  const fetchesWithoutStatus = release.fetches && !fillsStatus(release.version);

  (fetchesWithStatus ? it : it.skip)(
    'times fetches by result and outcome, without counting the get and set inside them',
    async () => {
      await fetchWorkload(release, 'origin');
      const metrics = await telemetry.collect();
      const ops = metrics.get('presize.lru.operations');
      expect(pointValue(ops, operation('origin', 'fetch', 'miss'))).toBe(3);
      expect(pointValue(ops, operation('origin', 'fetch', 'hit'))).toBe(1);
      expect(pointValue(ops, operation('origin', 'delete', 'fetch'))).toBe(1);
      expect(pointValue(ops, operation('origin', 'set', 'add'))).toBe(1);
      expect(ops).toHaveLength(4);
      expect(pointValue(metrics.get('presize.lru.evictions'), { 'presize.lru.name': 'origin' })).toBe(1);
      const durations = metrics.get('presize.lru.fetch.duration');
      const outcome = (result: string, fetchOutcome: string) =>
        (
          pointValue(durations, {
            'presize.lru.name': 'origin',
            'presize.lru.result': result,
            'presize.lru.fetch.outcome': fetchOutcome,
          }) as { count: number }
        ).count;
      expect([outcome('miss', 'resolved'), outcome('hit', 'resolved'), outcome('miss', 'rejected')]).toEqual([2, 1, 1]);
    },
  );

  (fetchesWithoutStatus ? it : it.skip)(
    'before 7.18, counts no fetch, but what a fetch stores as a set and what it removes as a delete',
    async () => {
      await fetchWorkload(release, 'early-origin');
      const metrics = await telemetry.collect();
      const ops = metrics.get('presize.lru.operations');
      // The resolved value replaces the promise the fetch stored in the entry.
      expect(pointValue(ops, operation('early-origin', 'set', 'replace'))).toBe(2);
      expect(pointValue(ops, operation('early-origin', 'set', 'add'))).toBe(1);
      expect(pointValue(ops, operation('early-origin', 'delete', 'delete'))).toBe(1);
      expect(ops?.filter((p) => p.attributes['presize.lru.name'] === 'early-origin' && p.value !== 0)).toHaveLength(3);
      expect(pointValue(metrics.get('presize.lru.evictions'), { 'presize.lru.name': 'early-origin' })).toBe(1);
      expect(metrics.get('presize.lru.fetch.duration')).toBeUndefined();
    },
  );

  it('puts lru-cache’s own methods back on disable, and patches again on enable', async () => {
    const proto = release.LRUCache.prototype as unknown as Record<string, unknown>;
    const cache = nameCache(new release.LRUCache({ max: 1 }), 'toggled');
    cache.set('a', 1);
    const patched = proto.get;
    instrumentation.disable();
    const own = proto.get;
    expect(own).not.toBe(patched);
    cache.set('b', 1); // evicts a, unseen
    cache.get('b');
    instrumentation.enable();
    expect(proto.get).not.toBe(own);
    cache.set('c', 1); // evicts b
    const metrics = await telemetry.collect();
    const toggled = { 'presize.lru.name': 'toggled' };
    expect(pointValue(metrics.get('presize.lru.evictions'), toggled)).toBe(1);
    expect(pointValue(metrics.get('presize.lru.operations'), operation('toggled', 'set', 'add'))).toBe(2);
    expect(pointValue(metrics.get('presize.lru.operations'), operation('toggled', 'get', 'hit'))).toBe(0);
  });

  it('gives the metrics lru-cache 11.5 gives on its channels, and returns what it returns unpatched', async () => {
    // Names of their own for every run: room for all of them, shrinking included.
    instrumentation.disable();
    instrumentation = new LruCacheInstrumentation({ maxCacheSeries: 1_000_000 });
    instrumentation.setMeterProvider(telemetry.provider);
    patchRelease(instrumentation, release);
    // Names unique in the process: caches named by earlier tests may still be alive.
    let runs = 0;
    const name = (role: string) => `${role}-${release.version}-${runs}`;
    await fc.assert(
      fc.asyncProperty(fc.array(commandOf(release), { maxLength: 40 }), async (commands) => {
        runs++;
        if (!release.emptiesCleanly) {
          // Past such a delete the release loses values 11.5 keeps: nothing left to compare.
          instrumentation.disable();
          const skipped = deletesOnlyEntry(commands, release.sizesExactly);
          instrumentation.enable();
          fc.pre(!skipped);
        }
        const reference = nameCache(newCache(CHANNEL_RELEASE.LRUCache, release.sizesExactly), name('reference'));
        const subject = nameCache(newCache(release.LRUCache, release.sizesExactly), name('subject'));
        const expected = run(reference, commands);
        const observed = run(subject, commands);
        const metrics = await telemetry.collect();
        expect(seriesOf(metrics, name('subject'))).toEqual(seriesOf(metrics, name('reference')));
        // The same calls on an unpatched cache of the same release return the same, and fill
        // the caller's status objects the same.
        instrumentation.disable();
        try {
          expect(observed).toEqual(run(newCache(release.LRUCache, release.sizesExactly), commands));
        } finally {
          instrumentation.enable();
        }
        expect(observed.at(-1)).toBe(expected.at(-1));
      }),
      { numRuns: 40 },
    );
  });
});
