// What the slow inserts of an unsized PresizedMap are: 4,000,000 device keys inserted in several
// runs, every insert timed, and for each insert whose minimum over the runs is above 100 µs, what
// the map did in it (read from its internals after the insert: an entry chunk created, a growth
// started, the bucket storage regrown, an evacuation step) and whether a GC pause overlapped it in
// every run. Not part of `npm run bench` (it reads private fields); run it under V8's own tracing:
//
//   node --expose-gc --max-old-space-size=6144 --trace-gc bench/map-slow-inserts.mjs
//   node --expose-gc bench/map-slow-inserts.mjs --native     # the same inserts into a native Map
//
// Environment: PRESIZE_PROBE_KEYS (4,000,000), PRESIZE_PROBE_RUNS (3), PRESIZE_PROBE_SLOW_MS (0.1).
// The lines `=== inserts start` / `=== inserts end` on stdout delimit each run's inserts in a trace.
import { PerformanceObserver } from 'node:perf_hooks';
import { PresizedMap } from '@presize/map';
import { deviceKeys, fmtInt, settle } from './lib.mjs';

const N = Number(process.env.PRESIZE_PROBE_KEYS ?? 4_000_000);
const RUNS = Number(process.env.PRESIZE_PROBE_RUNS ?? 3);
const SLOW_MS = Number(process.env.PRESIZE_PROBE_SLOW_MS ?? 0.1);
const native = process.argv.includes('--native');

const CHUNK = 1;
const GROWTH = 2;
const STORAGE = 4;
const EVACUATING = 8;
const causeNames = ['chunk created', 'growth started', 'bucket storage regrown', 'evacuation step'];

const keys = deviceKeys(N);
const pauses = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push({ start: e.startTime, end: e.startTime + e.duration });
}).observe({ entryTypes: ['gc'] });

const minimum = new Float64Array(N).fill(Number.POSITIVE_INFINITY);
const pausedRuns = new Uint8Array(N);
const causes = new Uint8Array(N);
const starts = new Float64Array(N);
const durations = new Float64Array(N);

for (let run = 0; run < RUNS; run++) {
  settle();
  // The settling collections report asynchronously: let them arrive before the inserts start.
  await new Promise((resolve) => setTimeout(resolve, 50));
  pauses.length = 0;
  const map = native ? new Map() : new PresizedMap({ name: 'slow-inserts', seed: 0x5eed });
  const before = process.resourceUsage();
  console.log('=== inserts start');
  const from = performance.now();
  let chunks = 0;
  let B = 0;
  let storage = null;
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    map.set(keys[i], i);
    const t1 = performance.now();
    starts[i] = t0;
    durations[i] = t1 - t0;
    if (native || run > 0) continue;
    const buckets = map['buckets'];
    causes[i] =
      (map['chunks'].length !== chunks ? CHUNK : 0) |
      (map['B'] !== B ? GROWTH : 0) |
      (buckets.tophash !== storage && map['B'] === B ? STORAGE : 0) |
      (map['old'] !== null ? EVACUATING : 0);
    chunks = map['chunks'].length;
    B = map['B'];
    storage = buckets.tophash;
  }
  const wall = performance.now() - from;
  console.log('=== inserts end');
  const after = process.resourceUsage();
  await new Promise((resolve) => setTimeout(resolve, 50));
  let p = 0;
  for (let i = 0; i < N; i++) {
    if (durations[i] < minimum[i]) minimum[i] = durations[i];
    while (p < pauses.length && pauses[p].end < starts[i]) p++;
    if (p < pauses.length && pauses[p].start <= starts[i] + durations[i]) pausedRuns[i]++;
  }
  console.error(
    `run ${run + 1}/${RUNS}: ${wall.toFixed(0)} ms wall, ${((after.userCPUTime - before.userCPUTime) / 1000).toFixed(0)} ms user CPU, ` +
      `${fmtInt(after.minorPageFault - before.minorPageFault)} minor page faults, ${pauses.length} GC pauses`,
  );
}

const label = (i) =>
  causeNames.filter((_, bit) => causes[i] & (1 << bit)).join(' + ') || (native ? 'native Map' : 'none of these');
const groups = new Map();
for (let i = 0; i < N; i++) {
  if (minimum[i] <= SLOW_MS) continue;
  const key = label(i) + (pausedRuns[i] === RUNS ? ', GC pause in every run' : '');
  const group = groups.get(key) ?? { count: 0, over500us: 0, maxMs: 0 };
  group.count++;
  if (minimum[i] > 0.5) group.over500us++;
  group.maxMs = Math.max(group.maxMs, minimum[i]);
  groups.set(key, group);
}
const sorted = Float64Array.from(minimum).sort();
const at = (q) => sorted[Math.min(N - 1, Math.floor(q * N))];
console.log(
  `${native ? 'native Map' : 'PresizedMap (no hint)'}, ${fmtInt(N)} keys, each insert's minimum over ${RUNS} runs: ` +
    `p99 ${(at(0.99) * 1000).toFixed(1)} µs, p99.99 ${(at(0.9999) * 1000).toFixed(1)} µs, max ${at(1).toFixed(2)} ms`,
);
console.log(`inserts above ${SLOW_MS} ms, by what the map did in them:`);
for (const [key, g] of [...groups].sort((a, b) => b[1].count - a[1].count)) {
  console.log(`  ${key}: ${fmtInt(g.count)} (${fmtInt(g.over500us)} above 0.5 ms), slowest ${g.maxMs.toFixed(2)} ms`);
}
