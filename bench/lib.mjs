// Shared helpers for the `bench/*.bench.mjs` scripts that `bench/run.mjs` drives.
//
// Contract of a bench script: it runs as its own process (`node --expose-gc <script>`, cwd = the
// repository root), prints progress on stderr, and hands its results to `writeReport(markdown)`:
// a Markdown section starting with a `## ` heading, which the driver puts into bench/RESULTS.md.
// `quick()` is true for a smoke run (`node bench/run.mjs --quick`): use small sizes then.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';

export const quick = () => process.env.PRESIZE_BENCH_QUICK === '1';

/** Hands the Markdown section to the driver, or prints it when the script runs on its own. */
export function writeReport(markdown) {
  const target = process.env.PRESIZE_BENCH_REPORT;
  if (target) writeFileSync(target, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  else process.stdout.write(`${markdown}\n`);
}

export function progress(message) {
  process.stderr.write(`  ${message}\n`);
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

function requireGc() {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('run with --expose-gc (node bench/run.mjs does)');
  }
  return globalThis.gc;
}

/** Two full collections, so that what is left on the heap is what is reachable. */
export function settle() {
  const gc = requireGc();
  gc();
  gc();
}

/**
 * Waits until the process has used almost no CPU for 100 ms (at most 5 s). After `settle()` the
 * collector goes on sweeping and returning memory on its helper threads for a few hundred
 * milliseconds; on a two-core machine they take the main thread's core in 4 ms slices, which
 * would land on whatever the next timed operations are.
 */
export async function quiesce() {
  const deadline = now() + 5_000;
  while (now() < deadline) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { user, system } = process.cpuUsage(before);
    if (user + system < 5_000) return;
  }
}

/** Heap bytes in use, JavaScript heap plus ArrayBuffer backing stores (where typed arrays live). */
export function usedBytes() {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (0..100) of ascending `sorted`. */
export function percentileOfSorted(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * A fresh copy of `fn` compiled from its source, with type feedback of its own: one hot loop per
 * map kind stays monomorphic, so no kind pays for the others having run through the same code.
 * `fn` must use only its parameters and globals.
 */
export function specialize(fn) {
  return new Function(`return (${fn.toString()})`)();
}

/** `n` distinct integers below 2^31 spread like ids (small integers in V8): the integer keys of the map benchmarks. */
export function integerKeys(n) {
  return Array.from({ length: n }, (_, i) => Math.imul(i, 0x9e3779b1) >>> 1);
}

/** Keys shaped like the incident's device IDs: `dev_` and 8 hex digits, all distinct. */
export function deviceKeys(n, salt = 0) {
  const keys = new Array(n);
  for (let i = 0; i < n; i++) {
    // Multiplying by an odd constant is a bijection on 32 bits, so the keys are distinct.
    const id = (Math.imul(i + salt, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
    keys[i] = `dev_${id}`;
  }
  return keys;
}

/** Fisher-Yates with a fixed-seed generator, so every run reads keys in the same order. */
export function shuffled(items, seed = 1) {
  const out = items.slice();
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The range that holds the median of `values` with probability `confidence`, by resampling them
 * (bootstrap, 4,000 resamples, a fixed-seed generator so that the same values give the same
 * range): how far the median of so few noisy runs can be from the one many more runs would give.
 */
export function medianInterval(values, confidence = 0.95) {
  const resamples = 4_000;
  const medians = new Float64Array(resamples);
  const sample = new Array(values.length);
  let state = 0x5eed;
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      sample[i] = values[Math.floor((state / 2 ** 32) * values.length)];
    }
    medians[r] = median(sample);
  }
  medians.sort();
  const tail = Math.floor((resamples * (1 - confidence)) / 2);
  return [medians[tail], medians[resamples - 1 - tail]];
}

/** Collects garbage-collection pauses (perf_hooks 'gc' entries) as they are reported. */
export class GcPauses {
  constructor() {
    this.entries = [];
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.entries.push({ start: e.startTime, duration: e.duration });
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Waits for pending entries to be delivered, then returns the pauses that began in [from, to]. */
  async between(from, to) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return this.entries.filter((e) => e.start >= from && e.start <= to);
  }

  /** The pauses that began while a run from `from` to `to` went on, with their total and count. */
  async during(from, to) {
    const pauses = await this.between(from - 1, to);
    return { pauses, gcPauseMs: pauses.reduce((sum, e) => sum + e.duration, 0), gcCount: pauses.length };
  }

  stop() {
    this.observer.disconnect();
  }
}

/**
 * Bytes allocated on the JavaScript heap while `run` executes: growth of the used heap plus
 * everything the collections in between reclaimed (v8.GCProfiler reports each one's before/after).
 */
export function measureAllocation(run) {
  const profiler = new v8.GCProfiler();
  const before = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  const result = run();
  const after = v8.getHeapStatistics().used_heap_size;
  const report = profiler.stop();
  let reclaimed = 0;
  for (const gc of report?.statistics ?? []) {
    reclaimed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  }
  return { result, allocatedBytes: after - before + reclaimed };
}

export const now = () => performance.now();

/**
 * CPU time (user + system, GC threads included) and wall time of `run`, on a settled heap: on a
 * shared machine wall time mostly measures the neighbours. The current job ends first, because V8
 * keeps a WeakRef's target alive until then, and a service's jobs end all the time. With
 * `quiesced`, the clock starts only once the collector's helper threads have finished after the
 * two forced collections (see `quiesce`): their sweeping grows with all the heap holds, the
 * packages the process loaded among it, and is the bench's doing, not the run's.
 */
export async function cpuTimed(run, { quiesced = false } = {}) {
  await new Promise((resolve) => setImmediate(resolve));
  settle();
  if (quiesced) await quiesce();
  const cpu = process.cpuUsage();
  const start = now();
  const result = await run();
  const wallMs = now() - start;
  const { user, system } = process.cpuUsage(cpu);
  return { result, cpuMs: (user + system) / 1000, wallMs };
}

/** Runs `fn(input)` `warmup` times, then `runs` times timed; the median and p95 time of one call. */
export function timedCalls(fn, input, { warmup, runs }) {
  for (let i = 0; i < warmup; i++) fn(input);
  const times = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const start = now();
    fn(input);
    times[i] = now() - start;
  }
  times.sort();
  return { median: median(times), p95: percentileOfSorted(times, 95) };
}

// Formatting for the Markdown tables.
export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.001) return `${(ms * 1000).toFixed(ms >= 0.1 ? 0 : 1)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}
export const fmtRatio = (r) => (r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`);
export function fmtBytes(b) {
  if (Math.abs(b) >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  if (Math.abs(b) >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (Math.abs(b) >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`;
  return `${Math.round(b)} B`;
}

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** How a measured figure stands against its target, for the RESULTS tables. */
export const verdict = (ok) => (ok ? 'met' : '**missed**');
