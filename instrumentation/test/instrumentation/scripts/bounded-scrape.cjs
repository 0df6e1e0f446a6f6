// 100,000 short-lived maps and 100,000 short-lived lru-cache caches, named and unnamed, in a service
// wired as register wires it (map series through their MetricProducer, lru-cache instrumentation,
// the OpenTelemetry Prometheus exporter), scraped over HTTP after every 10,000. Prints each
// scrape's size. Run with --expose-gc.
const http = require('node:http');
const { presize, PresizedMap, fromPackage, collectGarbage } = require('./telemetry.cjs');
const { MeterProvider } = fromPackage('@opentelemetry/sdk-metrics');
const { PrometheusExporter } = fromPackage('@opentelemetry/exporter-prometheus');
const { LRUCache } = fromPackage('lru-cache');

const TOTAL = 100_000;
const BATCH = 25_000;
/** Maps and caches of a batch still alive when it is scraped (requests in flight). */
const IN_FLIGHT = 2_000;

async function main() {
  const maps = new presize.PresizedMapInstrumentation({ metricsExport: 'metric-producer' });
  const caches = new presize.LruCacheInstrumentation();
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [presize.mapMetricsProducer(maps)],
  });
  const provider = new MeterProvider({ readers: [exporter] });
  maps.setMeterProvider(provider);
  caches.setMeterProvider(provider);
  const server = http.createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/metrics`;

  const scrape = async () => {
    // A connection of its own per scrape, as Prometheus' scrapes long apart are: a kept-alive
    // socket that the server closes while idle would fail the next request.
    const text = await new Promise((resolve, reject) => {
      http
        .get(url, { agent: false }, (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    const samples = text.split('\n').filter((line) => line.startsWith('presize_'));
    const names = new Set(samples.map((l) => /presize_map_name="([^"]*)"/.exec(l)?.[1]).filter((n) => n !== undefined));
    const cacheNames = new Set(
      samples.map((l) => /presize_lru_name="([^"]*)"/.exec(l)?.[1]).filter((n) => n !== undefined),
    );
    const requests = [...names].filter((n) => n.startsWith('request-')).map((n) => Number(n.slice('request-'.length)));
    return {
      requestIndices: requests.length === 0 ? null : [Math.min(...requests), Math.max(...requests)],
      bytes: Buffer.byteLength(text),
      series: samples.length,
      mapSeries: samples.filter((l) => l.startsWith('presize_map_')).length,
      lruSeries: samples.filter((l) => l.startsWith('presize_lru_')).length,
      mapNames: names.size,
      cacheNames: cacheNames.size,
      overflow: names.has('_overflow') || cacheNames.has('_overflow'),
      unnamed: names.has('_unnamed') && cacheNames.has('_unnamed'),
    };
  };

  const scrapes = [];
  let held = [];
  for (let i = 0; i < TOTAL; i++) {
    const map = new PresizedMap(i % 2 === 0 ? { name: `request-${i}` } : {});
    for (let k = 0; k < 20; k++) map.set(`k${k}`, k);
    const cache = new LRUCache({ max: 8 });
    if (i % 2 === 0) presize.nameCache(cache, `tenant-${i}`);
    for (let k = 0; k < 12; k++) cache.set(k, k);
    cache.get(3);
    cache.get(11);
    if (i % BATCH >= BATCH - IN_FLIGHT) held.push(map, cache);
    if (i % BATCH === BATCH - 1) {
      const live = await scrape();
      held = [];
      await collectGarbage();
      const afterCollection = await scrape();
      scrapes.push({ live, afterCollection });
    }
  }
  server.close();
  await provider.shutdown();
  return { scrapes, seriesHeld: maps.seriesCount };
}

main()
  .then((result) => console.log(JSON.stringify(result)))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
