// Cases of weak-references.test.ts, one per run: `node --expose-gc weak-references.cjs <case>`.
const { presize, PresizedMap, fromPackage, pullMetrics, collectGarbage, valueOf } = require('./telemetry.cjs');

const NAME = presize.ATTR_MAP_NAME;

function filled(name, entries, seed) {
  const map = new PresizedMap({ name, seed });
  for (let i = 0; i < entries; i++) map.set(`key_${seed}_${i}`, i);
  return map;
}

function viaProducer() {
  const instrumentation = new presize.PresizedMapInstrumentation({ metricsExport: 'metric-producer' });
  const { provider, collect } = pullMetrics([presize.mapMetricsProducer(instrumentation)]);
  instrumentation.setMeterProvider(provider);
  return { instrumentation, collect };
}

const cases = {
  /** A collected map's series: exported once more as an empty map with its final counts, then gone. */
  async removed() {
    const { collect } = viaProducer();
    await collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let maps = [];
    for (let i = 0; i < 20; i++) maps.push(filled('ephemeral', 20_000, i));
    const survivor = filled('survivor', 1_000, 99);
    const live = await collect();
    await collectGarbage();
    const held = process.memoryUsage().heapUsed - baseline;
    const count = maps.length;
    maps = undefined;
    await collectGarbage();
    const final = await collect();
    const after = await collect();
    await collectGarbage();
    const left = process.memoryUsage().heapUsed - baseline;
    const namesIn = (byName) =>
      [...new Set(Object.values(byName).flatMap((points) => points.map((p) => p.attributes[NAME])))].sort();
    return {
      count,
      live: {
        entries: valueOf(live['presize.map.entries'], { [NAME]: 'ephemeral' }),
        growths: valueOf(live['presize.map.growths'], { [NAME]: 'ephemeral' }),
      },
      final: {
        entries: valueOf(final['presize.map.entries'], { [NAME]: 'ephemeral' }),
        buckets: valueOf(final['presize.map.buckets'], { [NAME]: 'ephemeral' }),
        growths: valueOf(final['presize.map.growths'], { [NAME]: 'ephemeral' }),
        survivor: valueOf(final['presize.map.entries'], { [NAME]: 'survivor' }),
      },
      after: {
        names: namesIn(after),
        survivor: valueOf(after['presize.map.entries'], { [NAME]: 'survivor' }),
      },
      survivorSize: survivor.size,
      held,
      left,
    };
  },

  /** With SDK instruments the series cannot be removed: it reports an empty map for ever. */
  async instrumentKeepsZero() {
    const instrumentation = new presize.PresizedMapInstrumentation();
    const { provider, collect } = pullMetrics();
    instrumentation.setMeterProvider(provider);
    (() => {
      const maps = [];
      for (let i = 0; i < 5; i++) maps.push(filled('ephemeral', 5_000, i));
    })();
    const live = await collect();
    await collectGarbage();
    const first = await collect();
    const second = await collect();
    return {
      live: valueOf(live['presize.map.entries'], { [NAME]: 'ephemeral' }),
      first: valueOf(first['presize.map.entries'], { [NAME]: 'ephemeral' }),
      second: valueOf(second['presize.map.entries'], { [NAME]: 'ephemeral' }),
    };
  },

  /** A map collected mid-growth ends its growth span with outcome collected. */
  async collectedMidGrowth() {
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = fromPackage(
      '@opentelemetry/sdk-trace-base',
    );
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const { instrumentation, collect } = viaProducer();
    instrumentation.setTracerProvider(tracerProvider);
    let growing;
    (() => {
      // 6,657 inserts start the doubling from 1,024 to 2,048 buckets; 40 writes do not finish it.
      growing = filled('abandoned', 13 * 2 ** 9 + 41, 5).stats().growing;
    })();
    await collectGarbage();
    await collect(); // a collection also sweeps records whose map is gone
    const collected = spans
      .getFinishedSpans()
      .filter((s) => s.name === presize.SPAN_MAP_GROW && s.attributes[presize.ATTR_GROWTH_OUTCOME] === 'collected')
      .map((s) => s.attributes);
    return { growing, collected };
  },

  /** Thousands of short-lived maps of one name: final counts exported once, then nothing held. */
  async shortLived() {
    const { instrumentation, collect } = viaProducer();
    for (let i = 0; i < 5_000; i++) filled('short-lived', 20, i);
    await collectGarbage();
    const final = await collect();
    const after = await collect();
    return {
      finalGrowths: valueOf(final['presize.map.growths'], { [NAME]: 'short-lived' }),
      finalEntries: valueOf(final['presize.map.entries'], { [NAME]: 'short-lived' }),
      afterGrowths: valueOf(after['presize.map.growths'], { [NAME]: 'short-lived' }),
      afterEntries: valueOf(after['presize.map.entries'], { [NAME]: 'short-lived' }),
      seriesHeld: instrumentation.seriesCount,
    };
  },
};

cases[process.argv[2]]()
  .then((result) => console.log(JSON.stringify(result)))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
