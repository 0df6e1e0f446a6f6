// What garbage collection cost this process, for GET /stats: every GC's main-thread pause and the
// bytes allocated on the V8 heap, from V8's own GC profiler. Counts are cumulative since start, so
// a reader takes two snapshots and subtracts, as with Prometheus counters.
import v8 from 'node:v8';

/** Pause histogram bucket k holds pauses up to 2^(k/8 - 10) ms: 1 µs to 16 s in steps of 9 %. */
const STEPS_PER_DOUBLING = 8;
const SMALLEST_EXPONENT = -10;
const BUCKETS = 24 * STEPS_PER_DOUBLING + 1;
export const PAUSE_BOUNDS_MS = Array.from(
  { length: BUCKETS },
  (_, k) => 2 ** (k / STEPS_PER_DOUBLING + SMALLEST_EXPONENT),
);
/** The profiler buffers one record per GC until it is read; reading it this often bounds that buffer. */
const COLLECT_EVERY_MS = 5_000;

function bucketOf(pauseMs) {
  if (pauseMs <= PAUSE_BOUNDS_MS[0]) return 0;
  const k = Math.ceil((Math.log2(pauseMs) - SMALLEST_EXPONENT) * STEPS_PER_DOUBLING);
  return Math.min(Math.max(k, 0), BUCKETS - 1);
}

export function createProcessStats() {
  const pauseCounts = new Array(BUCKETS).fill(0);
  let gcCount = 0;
  let pauseTotalMs = 0;
  let pauseMaxMs = 0;
  let allocatedBytes = 0;
  // Heap in use right after the last GC seen: what is in use at the next GC beyond it was allocated since.
  let usedAfterLastGc = v8.getHeapStatistics().used_heap_size;
  let profiler = new v8.GCProfiler();
  profiler.start();

  function collect() {
    const { statistics } = profiler.stop();
    profiler = new v8.GCProfiler();
    profiler.start();
    for (const gc of statistics) {
      const before = gc.beforeGC.heapStatistics.usedHeapSize;
      allocatedBytes += Math.max(0, before - usedAfterLastGc);
      usedAfterLastGc = gc.afterGC.heapStatistics.usedHeapSize;
      const pauseMs = gc.cost / 1_000;
      gcCount++;
      pauseTotalMs += pauseMs;
      if (pauseMs > pauseMaxMs) pauseMaxMs = pauseMs;
      pauseCounts[bucketOf(pauseMs)]++;
    }
  }

  const timer = setInterval(collect, COLLECT_EVERY_MS);
  timer.unref();

  return {
    snapshot() {
      collect();
      const heap = v8.getHeapStatistics();
      return {
        gc: {
          count: gcCount,
          pauseTotalMs,
          pauseMaxMs,
          pauseHistogram: { boundsMs: PAUSE_BOUNDS_MS, counts: pauseCounts.slice() },
        },
        allocatedBytes: allocatedBytes + Math.max(0, heap.used_heap_size - usedAfterLastGc),
        heapUsedBytes: heap.used_heap_size,
        rssBytes: process.memoryUsage.rss(),
        uptimeSeconds: process.uptime(),
      };
    },
    stop() {
      clearInterval(timer);
      profiler.stop();
    },
  };
}
