// An unmodified application, started with `--import @presize/auto-instrumentation/register` and
// PRESIZE_NATIVE_MAPS=observe, fills a native Map past 524,288 entries and uses an lru-cache;
// the Prometheus scrape shows the Map's table rebuilds with their measured durations, under the
// source location of the set() that found the map, and the cache's operations. Uses dist: run
// under `flock /tmp/presize-build.lock` when building at the same time.
import { join } from 'node:path';
import { freePort } from '../tools/ports';
import { startInstrumentedApp, type InstrumentedApp } from './support/instrumented-app.js';
import { ROOT } from './support/service-process.js';
import { scrapeUntil, select, type Sample } from './support/scrape.js';

const ENTRIES = 524_288 + 1_000;

const APP = `import { createRequire } from 'node:module';
const { LRUCache } = createRequire(${JSON.stringify(join(ROOT, 'instrumentation', 'package.json'))})('lru-cache');
const sessions = new Map();
for (let i = 0; i < ${ENTRIES}; i++) sessions.set('session-' + i, i);
const small = new Map([[1, 1]]);
small.set(2, 2);
const profiles = new LRUCache({ max: 2 });
profiles.set('a', 1);
profiles.set('b', 2);
profiles.get('a');
profiles.get('missing');
profiles.set('c', 3);
globalThis.keep = { sessions, small, profiles };
console.log('ready');
setInterval(() => {}, 1000);
`;
/** Line and column of `sessions.set(` in APP, 1-based, as V8 reports the call. */
const SET_LINE = 4;
const SET_COLUMN = APP.split('\n')[SET_LINE - 1]!.indexOf('sessions.set(') + 'sessions.'.length + 1;

function only(scraped: Sample[], name: string, labels: Record<string, string>): number {
  const found = select(scraped, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

describe('PRESIZE_NATIVE_MAPS=observe through register and the Prometheus exporter', () => {
  let app: InstrumentedApp | undefined;
  let appPath: string;
  let scrape: () => Promise<Sample[]>;

  beforeAll(async () => {
    const port = await freePort();
    app = await startInstrumentedApp({
      source: APP,
      service: 'native-maps-test',
      port,
      env: { PRESIZE_NATIVE_MAPS: 'observe' },
    });
    appPath = app.appPath;
    // The exporter binds its port once the event loop runs, which may be after 'ready' is printed.
    scrape = () => scrapeUntil(port, (all) => all.length > 0);
  }, 60_000);

  afterAll(() => app?.stop(), 60_000);

  it('shows each rebuild after the map was found, with its measured duration, under its call site', async () => {
    const scraped = await scrape();
    const name = `${appPath}:${SET_LINE}:${SET_COLUMN}`;
    const rehash = {
      presize_map_name: name,
      presize_map_growth_kind: 'v8_rehash',
      presize_map_growth_trigger: 'capacity',
    };
    // Found at 65,536 entries; then the table rebuilds at 65,536, 131,072, 262,144 and 524,288.
    expect(only(scraped, 'presize_map_growths_total', rehash)).toBe(4);
    expect(only(scraped, 'presize_map_growth_duration_count', rehash)).toBe(4);
    expect(only(scraped, 'presize_map_growth_duration_sum', rehash)).toBeGreaterThan(0);
    const stalls = { presize_map_name: name };
    expect(only(scraped, 'presize_map_evacuation_stall_count', stalls)).toBe(4);
    expect(only(scraped, 'presize_map_evacuation_stall_sum', stalls)).toBeGreaterThan(0);
    // The largest rebuild copies 524,288 entries: slower than the smallest bucket boundary.
    const fastest = select(scraped, 'presize_map_evacuation_stall_bucket', stalls).sort(
      (a, b) => Number(a.labels.le) - Number(b.labels.le),
    )[0];
    expect(fastest?.value).toBeLessThan(4);
    expect(only(scraped, 'presize_map_entries', stalls)).toBe(ENTRIES);
    expect(only(scraped, 'presize_map_buckets', stalls)).toBe(2 ** 19);
    // Small maps were never found.
    const names = new Set(select(scraped, 'presize_map_entries', {}).map((s) => s.labels.presize_map_name));
    expect([...names].filter((n) => n?.startsWith(appPath))).toEqual([name]);
  });

  it('shows the lru-cache operations of the same application, its unnamed cache under _unnamed', async () => {
    const scraped = await scrape();
    const operations = select(scraped, 'presize_lru_operations_total', {});
    const cacheNames = new Set(operations.map((s) => s.labels.presize_lru_name));
    expect(cacheNames.size).toBe(1);
    const [cache] = [...cacheNames] as string[];
    expect(cache).toBe('_unnamed');
    const op = (operation: string, result: string) =>
      only(scraped, 'presize_lru_operations_total', {
        presize_lru_name: cache!,
        presize_lru_operation: operation,
        presize_lru_result: result,
      });
    expect([op('set', 'add'), op('get', 'hit'), op('get', 'miss')]).toEqual([3, 1, 1]);
    expect(only(scraped, 'presize_lru_evictions_total', { presize_lru_name: cache! })).toBe(1);
    expect(only(scraped, 'presize_lru_entries', { presize_lru_name: cache! })).toBe(2);
    expect(only(scraped, 'presize_lru_max', { presize_lru_name: cache! })).toBe(2);
  });
});
