// The built package wired to the real SDK, for the scripts that tests run in a process of their own.
const { join } = require('node:path');
const { createRequire } = require('node:module');

const PACKAGE = join(__dirname, '..', '..', '..');
const fromPackage = createRequire(join(PACKAGE, 'package.json'));
const presize = fromPackage(join(PACKAGE, 'dist', 'cjs', 'index.js'));
const { PresizedMap, ShardedMap } = fromPackage('@presize/map');
const { AggregationTemporality, MeterProvider, MetricReader } = fromPackage('@opentelemetry/sdk-metrics');

class PullReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

/** Lets the current job end (WeakRef targets read in it stay alive until then), then collects. */
async function collectGarbage() {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc();
  }
  // Finalization callbacks run as tasks after the collection that found their targets.
  await new Promise((resolve) => setImmediate(resolve));
}

/** A cumulative pull reader (as Prometheus reads) and a collect() that returns points by metric name. */
function pullMetrics(metricProducers = []) {
  const reader = new PullReader({
    aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
    metricProducers,
  });
  const provider = new MeterProvider({ readers: [reader] });
  async function collect() {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw errors[0];
    const byName = {};
    for (const scope of resourceMetrics.scopeMetrics)
      for (const m of scope.metrics)
        for (const p of m.dataPoints)
          (byName[m.descriptor.name] ??= []).push({ attributes: p.attributes, value: p.value });
    return byName;
  }
  return { provider, collect };
}

/** Sum of the values of the points whose attributes include `where`; null when none matches. */
function valueOf(points, where) {
  const found = (points ?? []).filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v));
  if (found.length === 0) return null;
  return found.reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : p.value.count), 0);
}

module.exports = { presize, PresizedMap, ShardedMap, fromPackage, pullMetrics, collectGarbage, valueOf };
