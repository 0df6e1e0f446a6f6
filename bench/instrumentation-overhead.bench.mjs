// What the OpenTelemetry instrumentation costs the incident's workload: 120,000 devices write 10
// log lines each into a PresizedMap sized for 5,000 (five doublings on the way), in four setups:
//   plain               the map alone; OpenTelemetry is never loaded
//   no-subscriber       SDK and instrumentation loaded and registered, then disabled: the map's
//                       channels have no subscriber, as in a service that turned it off
//   enabled             SDK with a metric reader and a batch span processor, instrumentation
//                       enabled as `register` sets it up: the map series (the evacuation stall
//                       histogram among them) leave through a MetricProducer given to the reader
//   enabled-instrument  the same with the instrumentation's defaults (registerInstrumentations
//                       without the producer): the stalls are recorded into the SDK's histogram
//                       instrument at collection, one SDK call per evacuating write
//   collector-down      as enabled, but metrics and spans are pushed over OTLP/HTTP every 200 ms
//                       to a port where nothing listens: every export fails while the writes go on
// Each run is a fresh process (no JIT feedback or heap state shared between setups) that warms up,
// then times the workload three times on fresh maps and keeps its best time; runs of the setups
// alternate, and the ratios compare the medians over runs. Time is CPU time of the process
// (user + system, GC threads included): on a shared machine wall time mostly measures the
// neighbours, and what the instrumentation costs is CPU.
//
//   node --expose-gc bench/instrumentation-overhead.bench.mjs      the comparison, as npm run bench
import { inFreshProcess, measureOrCompare } from './fresh-process.mjs';
import { INCIDENT, logLines } from './incident.mjs';
import { interleaved, medianOf } from './interleave.mjs';
import { cpuTimed, deviceKeys, fmtInt, fmtMs, progress, quick, shuffled, table, verdict, writeReport } from './lib.mjs';

const { devices: DEVICES, keptLines: LINES_PER_DEVICE, hint: HINT } = INCIDENT;
const RUNS = quick() ? 2 : 25;
const MEASURED_PER_RUN = 3;
const SETUPS = ['plain', 'no-subscriber', 'enabled', 'enabled-instrument', 'collector-down'];
const TARGET_LOSS = { 'no-subscriber': 0.01, enabled: 0.03, 'enabled-instrument': 0.03, 'collector-down': 0.03 };

/** A loopback port nobody listens on: an export there is refused at once, as with a collector that is down. */
async function closedPort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Sets up telemetry as the setup says. Returns `collect`, one metric collection (what a Prometheus
 * scrape triggers), timed with the workload: work the instrumentation defers to collection time is
 * part of what it costs. And `report`, what to tell about the run afterwards.
 */
async function prepare(setup) {
  const nothing = { collect: async () => {}, report: async () => ({}) };
  if (setup === 'plain') return nothing;
  const { trace } = await import('@opentelemetry/api');
  const { MeterProvider, MetricReader, AggregationTemporality } = await import('@opentelemetry/sdk-metrics');
  const { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } =
    await import('@opentelemetry/sdk-trace-base');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { PresizedMapInstrumentation, mapMetricsProducer } = await import('@presize/instrumentation');

  // A pull reader, as Prometheus scraping is: nothing is collected while the workload runs.
  class PullReader extends MetricReader {
    constructor(metricProducers) {
      super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers });
    }
    async onForceFlush() {}
    async onShutdown() {}
  }
  const asRegister = setup === 'enabled' || setup === 'collector-down';
  const instrumentation = new PresizedMapInstrumentation(asRegister ? { metricsExport: 'metric-producer' } : {});
  const producers = asRegister ? [mapMetricsProducer(instrumentation)] : [];
  const reader = new PullReader(producers);
  const readers = [reader];
  const spans = new InMemorySpanExporter();
  const spanProcessors = [new BatchSpanProcessor(spans)];
  if (setup === 'collector-down') {
    const { PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const down = `http://127.0.0.1:${await closedPort()}`;
    const exporter = { timeoutMillis: 100 };
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ ...exporter, url: `${down}/v1/metrics` }),
        exportIntervalMillis: 200,
        exportTimeoutMillis: 150,
        metricProducers: producers,
      }),
    );
    spanProcessors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ ...exporter, url: `${down}/v1/traces` }), {
        scheduledDelayMillis: 200,
      }),
    );
  }
  const meterProvider = new MeterProvider({ readers });
  const tracerProvider = new BasicTracerProvider({ spanProcessors });
  trace.setGlobalTracerProvider(tracerProvider);
  registerInstrumentations({ instrumentations: [instrumentation], tracerProvider, meterProvider });
  if (setup === 'no-subscriber') {
    instrumentation.disable();
    return nothing;
  }
  const collect = async () => {
    await reader.collect();
  };
  const report = async (name) => {
    // With the collector down the OTLP processor's flush fails; the in-memory one's is done by then.
    await tracerProvider.forceFlush().catch(() => {});
    const { resourceMetrics } = await reader.collect();
    const growths = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'presize.map.growths');
    const ofMap = (attributes) => attributes['presize.map.name'] === name;
    return {
      growSpans: spans.getFinishedSpans().filter((s) => s.name === 'presize.map.grow' && ofMap(s.attributes)).length,
      growthsCounter: growths?.dataPoints.filter((p) => ofMap(p.attributes)).reduce((n, p) => n + p.value, 0) ?? 0,
    };
  };
  return { collect, report };
}

function workload(PresizedMap, appendBounded, devices, name) {
  const order = shuffled(devices, 11);
  const lines = logLines(1024);
  const map = new PresizedMap({ hint: HINT, name });
  let op = 0;
  for (let round = 0; round < LINES_PER_DEVICE; round++) {
    for (let d = 0; d < order.length; d++) appendBounded(map, order[d], lines[op++ & 1023], LINES_PER_DEVICE);
  }
  return map;
}

async function worker(setup) {
  const { collect, report } = await prepare(setup);
  const { PresizedMap, appendBounded } = await import('@presize/map');
  // Warm-up on other keys, so that the measured run meets compiled code in every setup.
  workload(PresizedMap, appendBounded, deviceKeys(DEVICES / 4, 0xbeef), 'warm-up');
  let best = { cpuMs: Infinity, wallMs: Infinity };
  let growths = 0;
  for (let i = 0; i < MEASURED_PER_RUN; i++) {
    const devices = deviceKeys(DEVICES, 0x5eed + i);
    const run = await cpuTimed(async () => {
      const map = workload(PresizedMap, appendBounded, devices, `device-logs-${i}`);
      await collect();
      return map;
    });
    if (run.cpuMs < best.cpuMs) best = { cpuMs: run.cpuMs, wallMs: run.wallMs };
    growths = run.result.stats().growths;
  }
  return {
    setup,
    ...best,
    growths,
    ...(await report('device-logs-0')),
  };
}

async function compare() {
  const runs = await interleaved(SETUPS, RUNS, (setup, i) => {
    const result = inFreshProcess(import.meta.url, setup);
    progress(`${setup} run ${i + 1}/${RUNS}: ${fmtMs(result.cpuMs)} CPU, ${fmtMs(result.wallMs)} wall`);
    return result;
  });
  const med = medianOf(runs);
  const throughput = (setup) => (DEVICES * LINES_PER_DEVICE) / (med(setup, 'cpuMs') / 1000);
  const best = (setup) => Math.min(...runs[setup].map((r) => r.cpuMs));
  const base = throughput('plain');
  const enabled = runs.enabled[0];
  const rows = SETUPS.map((setup) => {
    const t = throughput(setup);
    const loss = 1 - t / base;
    const target = TARGET_LOSS[setup];
    return [
      setup,
      fmtMs(med(setup, 'cpuMs')),
      fmtMs(med(setup, 'wallMs')),
      `${fmtInt(t)} writes per CPU-s`,
      setup === 'plain' ? '1.00' : (t / base).toFixed(3),
      setup === 'plain' ? '' : `${(loss * 100).toFixed(1)} %`,
      setup === 'plain'
        ? fmtMs(best(setup))
        : `${fmtMs(best(setup))} (${((best(setup) / best('plain') - 1) * 100).toFixed(1)} %)`,
      target === undefined ? '' : `≤ ${target * 100} %: ${verdict(loss <= target)}`,
    ];
  });
  writeReport(
    [
      '## Instrumentation overhead',
      '',
      `${fmtInt(DEVICES)} devices × ${LINES_PER_DEVICE} log lines (\`appendBounded\`, lists of ${LINES_PER_DEVICE}) into a`,
      `\`PresizedMap\` with hint ${fmtInt(HINT)}: ${enabled.growths} doublings, evacuated while the writes go on.`,
      `Median over ${RUNS} processes per setup (setups alternating) of each process's best of`,
      `${MEASURED_PER_RUN} timed runs; throughput per CPU second of the process. *plain*: no`,
      'OpenTelemetry loaded. *no-subscriber*: SDK and `PresizedMapInstrumentation` registered, then',
      'disabled. *enabled*: SDK with a pull metric reader and a batch span processor, instrumentation',
      `enabled as \`register\` sets it up (it produced ${enabled.growSpans} \`presize.map.grow\` spans and \`presize.map.growths\` = ${enabled.growthsCounter}),`,
      'the map series, the evacuation stall histogram among them, exported by `mapMetricsProducer` given to the reader.',
      "*enabled-instrument*: the instrumentation's defaults, the stalls recorded into the SDK's",
      'histogram instrument at collection (one SDK call per evacuating write). *collector-down*: as',
      '*enabled*, plus metrics and spans pushed over OTLP/HTTP every 200 ms to a loopback port where',
      'nothing listens, so every export fails while the writes go on. Each enabled run includes one',
      'metric collection (a scrape).',
      '',
      table(['Setup', 'CPU time', 'Wall time', 'Throughput', 'vs plain', 'Loss', 'Best CPU time', 'Target'], rows),
      '',
      'The machine is shared: processes of the same setup differ by more than the losses measured',
      '(see the best CPU times, the least disturbed run of each setup, as a second estimate).',
    ].join('\n'),
  );
}

await measureOrCompare(worker, compare);
