// What observing an lru-cache costs a cache-heavy request loop, for a release whose class the
// instrumentation patches (lru-cache 10), one whose results the patch reads from its internals
// (7.17, which fills no status), and one that publishes on its own channels (11.5), each against
// the same release unobserved:
//   plain     the release alone; no Presize code loaded
//   observed  LruCacheInstrumentation enabled with the OpenTelemetry SDK (a pull metric reader,
//             collected once after the loop, as a scrape would): lru-cache 10's and 7.17's classes
//             patched as the module hook patches them on require; lru-cache 11.5 unpatched, read
//             from its channels
// The workload: 400,000 requests over 40,000 keys, a few of them hot, into a cache of max 10,000;
// each request gets its key and sets it on a miss (evicting the least recently used), one in ten
// also checks another key with has(). Each process warms up, then keeps its best CPU time
// (user + system) of three runs; setups alternate and the ratios compare medians over processes.
//
//   node --expose-gc bench/lru-patch-overhead.bench.mjs      the comparison, as npm run bench
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inFreshProcess, measureOrCompare } from './fresh-process.mjs';
import { interleaved, medianOf } from './interleave.mjs';
import { cpuTimed, fmtInt, fmtMs, progress, quick, table, writeReport } from './lib.mjs';

const REQUESTS = quick() ? 40_000 : 400_000;
const KEYS = 40_000;
const MAX = 10_000;
const RUNS = quick() ? 2 : 7;
const MEASURED_PER_RUN = 3;
/** The aliases the releases are installed under (root devDependencies). */
const RELEASES = { patched: 'lru-cache-10', early: 'lru-cache-7-17', channels: 'lru-cache-11-5' };
const HOW = {
  patched: 'class patched',
  early: 'class patched, status read by the patch',
  channels: 'its own channels',
};
const SETUPS = Object.keys(RELEASES).flatMap((release) => [`${release} plain`, `${release} observed`]);

/** The installed version of a release (lru-cache 8 and later do not export their package.json). */
const versionOf = (release) =>
  JSON.parse(readFileSync(new URL(`../node_modules/${RELEASES[release]}/package.json`, import.meta.url), 'utf8'))
    .version;

/** Key indexes of the requests: a quarter of them to 100 hot keys, the rest spread over all keys. */
function requestKeys() {
  let state = 0x1234567;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: REQUESTS }, () => `key-${Math.floor(next() < 0.25 ? next() * 100 : next() * KEYS)}`);
}

/** Serves the requests; returns how many cache operations that took. */
function serve(cache, keys) {
  let operations = keys.length;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (cache.get(key) === undefined) {
      cache.set(key, i);
      operations++;
    }
    if (i % 10 === 0) {
      cache.has(keys[(i * 7) % keys.length]);
      operations++;
    }
  }
  return operations;
}

async function prepare(setup) {
  const [release, mode] = setup.split(' ');
  const require = createRequire(import.meta.url);
  const exports = require(RELEASES[release]);
  const LRUCache = exports.LRUCache ?? exports;
  if (mode === 'plain') return { LRUCache, collect: async () => 0 };
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  const { LruCacheInstrumentation } = await import('@presize/instrumentation');
  class PullReader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const reader = new PullReader();
  const instrumentation = new LruCacheInstrumentation();
  instrumentation.setMeterProvider(new MeterProvider({ readers: [reader] }));
  if (release !== 'channels') {
    // The module hook matches the name lru-cache, not the alias: its patch is applied as on require.
    const definition = instrumentation.getModuleDefinitions().find((d) => typeof d.unpatch === 'function');
    definition.patch(exports, versionOf(release));
  }
  return {
    LRUCache,
    collect: async () => {
      const { resourceMetrics } = await reader.collect();
      const operations = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === 'presize.lru.operations');
      return (operations?.dataPoints ?? []).reduce((n, p) => n + p.value, 0);
    },
  };
}

async function worker(setup) {
  const { LRUCache, collect } = await prepare(setup);
  const keys = requestKeys();
  serve(new LRUCache({ max: MAX }), keys.slice(0, REQUESTS / 4));
  let best = Infinity;
  let operations = 0;
  for (let i = 0; i < MEASURED_PER_RUN; i++) {
    const cache = new LRUCache({ max: MAX });
    const { result, cpuMs } = await cpuTimed(() => serve(cache, keys));
    operations = result;
    best = Math.min(best, cpuMs);
  }
  return { setup, cpuMs: best, operations, counted: await collect() };
}

async function compare() {
  const runs = await interleaved(SETUPS, RUNS, (setup, i) => {
    const result = inFreshProcess(import.meta.url, setup);
    progress(`${setup} run ${i + 1}/${RUNS}: ${fmtMs(result.cpuMs)} CPU, ${fmtInt(result.counted)} operations counted`);
    return result;
  });
  const cpu = medianOf(runs);
  const med = (setup) => cpu(setup, 'cpuMs');
  // Every process serves the same requests into an empty cache: the same operations.
  const ops = runs[SETUPS[0]][0].operations;
  const rows = Object.keys(RELEASES).map((release) => {
    const plain = med(`${release} plain`);
    const observed = med(`${release} observed`);
    return [
      `lru-cache ${versionOf(release)} (${HOW[release]})`,
      fmtMs(plain),
      fmtMs(observed),
      `${fmtInt(((observed - plain) * 1e6) / ops)} ns`,
      (plain / observed).toFixed(3),
    ];
  });
  writeReport(
    [
      '## lru-cache observed: patched class and own channels',
      '',
      `${fmtInt(REQUESTS)} requests over ${fmtInt(KEYS)} keys (a quarter to 100 hot keys) into a cache of max`,
      `${fmtInt(MAX)}: get, set on a miss, has() for one request in ten (about ${fmtInt(ops)} operations).`,
      `Median over ${RUNS} processes per setup of each process's best CPU time of ${MEASURED_PER_RUN} runs.`,
      '*observed*: `LruCacheInstrumentation` enabled with the SDK and a pull reader. Ratio: throughput of',
      'the observed cache relative to the same release unobserved (1.000 = no cost).',
      '',
      table(['Release', 'Plain CPU', 'Observed CPU', 'Cost per operation', 'Observed vs plain'], rows),
      '',
      'Each observed operation is one status object, one message on a diagnostics channel and one',
      'tally incremented (the SDK reads the tallies at collection); the patch adds a wrapper call and,',
      "without a caller's status, the options object that carries one; before 7.18, a key-index lookup",
      'per set and, per get or has, a function standing in for `isStale`. The machine is shared:',
      'differences of a few percent are within the spread between processes of one setup.',
    ].join('\n'),
  );
}

await measureOrCompare(worker, compare);
