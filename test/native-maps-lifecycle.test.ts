// Observed maps and caches that the application drops are garbage-collected and report empty;
// lru-cache versions that publish nothing are found by the module hook and reported once. Each
// case runs in a child process (--expose-gc, and a real `require` for the module hook) against
// dist: run under `flock /tmp/presize-build.lock` when building at the same time.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const INSTRUMENTATION = join(ROOT, 'instrumentation');

const PRELUDE = `const { createRequire } = require('node:module');
const fromPackage = createRequire(${JSON.stringify(join(INSTRUMENTATION, 'package.json'))});
const presize = fromPackage(${JSON.stringify(join(INSTRUMENTATION, 'dist', 'cjs', 'index.js'))});
const { AggregationTemporality, MeterProvider, MetricReader } = fromPackage('@opentelemetry/sdk-metrics');
class PullReader extends MetricReader { async onForceFlush() {} async onShutdown() {} }
// Delta: a collection holds exactly what the callbacks observed. Under cumulative temporality
// the JS SDK re-exports the last value of a series its callback no longer observes
// (opentelemetry-js issue 4096), which would hide what the instrumentation does.
const reader = new PullReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
const provider = new MeterProvider({ readers: [reader] });
/** Names of the series of a gauge that report a non-empty map or cache. */
async function gaugeNames(metric, attribute) {
  const { resourceMetrics } = await reader.collect();
  const names = [];
  for (const scope of resourceMetrics.scopeMetrics)
    for (const m of scope.metrics)
      if (m.descriptor.name === metric)
        for (const p of m.dataPoints) names.push(p.value > 0 ? p.attributes[attribute] : 'empty');
  return names.sort();
}
`;

/** The lru-cache instrumentation on the script's provider, its diagnostic warnings kept in `warnings`. */
const WATCH_LRU_CACHES = `const { diag, DiagLogLevel } = fromPackage('@opentelemetry/api');
const warnings = [];
diag.setLogger({ error() {}, warn: (...parts) => warnings.push(parts.join(' ')), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
const caches = new presize.LruCacheInstrumentation();
caches.setMeterProvider(provider);`;

/** Installs the lru-cache release the repository holds under `alias` as `dir`'s own lru-cache, as an older dependency would bring it. */
function installAsLruCache(dir: string, alias: string): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  cpSync(join(ROOT, 'node_modules', alias), join(dir, 'node_modules', 'lru-cache'), { recursive: true });
}

function runScript(dir: string, body: string, args: string[] = []): { out: unknown; stderr: string } {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(
    file,
    `${PRELUDE}\n(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });\n`,
  );
  const run = spawnSync(process.execPath, [...args, file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`script failed (${run.status}): ${run.stderr}`);
  const last = run.stdout.trim().split('\n').at(-1) ?? 'null';
  return { out: JSON.parse(last), stderr: run.stderr };
}

describe('observer lifecycle in a real process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'presize-lifecycle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets dropped observed maps and lru caches be garbage-collected; their series then report empty', () => {
    const { out } = runScript(
      dir,
      `const maps = new presize.PresizedMapInstrumentation();
maps.setMeterProvider(provider);
const caches = new presize.LruCacheInstrumentation();
caches.setMeterProvider(provider);
const { LRUCache } = fromPackage('lru-cache');
const refs = [];
const kept = { map: presize.observeMap(new Map([[0, 0]]), { name: 'kept-map' }), cache: presize.nameCache(new LRUCache({ max: 10 }), 'kept-cache') };
kept.cache.set('k', 1);
(() => {
  for (let i = 0; i < 20; i++) {
    const map = new Map();
    presize.observeMap(map, { name: 'dropped-map-' + i });
    for (let k = 0; k < 100; k++) map.set(k, k);
    const cache = presize.nameCache(new LRUCache({ max: 10 }), 'dropped-cache-' + i);
    for (let k = 0; k < 20; k++) cache.set(k, k);
    refs.push(new WeakRef(map), new WeakRef(cache));
  }
})();
const before = { maps: await gaugeNames('presize.map.entries', 'presize.map.name'), caches: await gaugeNames('presize.lru.entries', 'presize.lru.name') };
for (let i = 0; i < 20 && refs.some((r) => r.deref() !== undefined); i++) {
  await new Promise((r) => setTimeout(r, 20));
  global.gc();
}
const after = { maps: await gaugeNames('presize.map.entries', 'presize.map.name'), caches: await gaugeNames('presize.lru.entries', 'presize.lru.name') };
console.log(JSON.stringify({ before, after, alive: refs.filter((r) => r.deref() !== undefined).length, keptSize: kept.cache.size + kept.map.stats().size }));`,
      ['--expose-gc'],
    );
    const result = out as {
      before: { maps: string[]; caches: string[] };
      after: { maps: string[]; caches: string[] };
      alive: number;
    };
    // Each cache's key index is an observed map as well.
    expect(result.before.maps).toHaveLength(42);
    expect(result.before.maps.filter((n) => n.endsWith('.key_index'))).toHaveLength(21);
    expect(result.before.caches).toHaveLength(21);
    expect(result.alive).toBe(0);
    // A series whose map or cache is gone reports an empty one (a cumulative exporter would
    // otherwise repeat its last value), until the process ends.
    const empty = (n: number) => Array.from({ length: n }, () => 'empty');
    expect(result.after).toEqual({
      maps: [...empty(40), 'kept-cache.key_index', 'kept-map'],
      caches: [...empty(20), 'kept-cache'],
    });
  });

  it('reports a required lru-cache too old to observe once, and observes the one that publishes', () => {
    installAsLruCache(dir, 'lru-cache-6');
    const { out } = runScript(
      dir,
      `${WATCH_LRU_CACHES}
const Old = require('lru-cache');
require('lru-cache');
const Current = fromPackage('lru-cache').LRUCache;
const old = presize.nameCache(new Old({ max: 5 }), 'legacy');
old.set('a', 1);
const current = presize.nameCache(new Current({ max: 5 }), 'current');
current.set('a', 1);
const { resourceMetrics } = await reader.collect();
const points = {};
for (const scope of resourceMetrics.scopeMetrics)
  for (const m of scope.metrics)
    for (const p of m.dataPoints) (points[m.descriptor.name] ??= []).push({ ...p.attributes, value: p.value });
console.log(JSON.stringify({ warnings, unobservable: [...caches.unobservable()], points }));`,
    );
    const result = out as {
      warnings: string[];
      unobservable: Array<[string, number]>;
      points: Record<string, Array<Record<string, unknown>>>;
    };
    expect(result.unobservable).toEqual([
      ['6.0.0', 1],
      ['before 11.3', 1],
    ]);
    expect(result.warnings.filter((w) => w.includes('lru-cache 6.0.0'))).toHaveLength(1);
    expect(result.warnings.some((w) => w.includes('"legacy"'))).toBe(true);
    expect(result.points['presize.lru.unobservable']).toEqual([
      { 'presize.lru.version': '6.0.0', value: 1 },
      { 'presize.lru.version': 'before 11.3', value: 1 },
    ]);
    expect(result.points['presize.lru.entries']).toEqual([{ 'presize.lru.name': 'current', value: 1 }]);
  });

  it('reports a required lru-cache 11.3 once, by its exact version, and counts its operations unattributed', () => {
    const release = mkdtempSync(join(dir, 'v11-3-'));
    installAsLruCache(release, 'lru-cache-v11-3');
    const { out } = runScript(
      release,
      `${WATCH_LRU_CACHES}
const { LRUCache } = require('lru-cache');
const cache = new LRUCache({ max: 5 });
cache.set('a', 1);
cache.get('a');
cache.get('b');
const { resourceMetrics } = await reader.collect();
const operations = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'presize.lru.operations');
console.log(JSON.stringify({ warnings, operations: operations.dataPoints.map((p) => [p.attributes['presize.lru.name'], p.attributes['presize.lru.result'], p.value]) }));`,
    );
    const result = out as { warnings: string[]; operations: Array<[string, string, number]> };
    expect(result.warnings.filter((w) => w.includes(' lru-cache '))).toEqual([
      expect.stringMatching(
        /^@presize\/instrumentation\/lru-cache lru-cache 11\.3\.6 publishes operations without the cache instance/,
      ),
    ]);
    expect(result.operations.sort()).toEqual([
      ['unattributed', 'add', 1],
      ['unattributed', 'hit', 1],
      ['unattributed', 'miss', 1],
    ]);
  });
});
