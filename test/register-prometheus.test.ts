// `node --import @presize/auto-instrumentation/register` (and `--require`) with
// OTEL_METRICS_EXPORTER=prometheus: the service's own code creates maps and nothing else; the
// scrape shows every instrument under the name docs/telemetry.md gives it.
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPrometheus, type PrometheusHandle } from '../tools/prometheus.js';
import { EVACUATION_STALL_BUCKETS } from '@presize/instrumentation';
import { freePort } from '../tools/ports.js';
import { documentedNames } from './support/documented-names.js';
import { parseExposition, scrape, scrapeUntil, select, type Sample } from './support/scrape.js';
import {
  prometheusExporterEnv,
  ROOT,
  startService,
  startServiceOnPrometheus,
  type Service,
} from './support/service-process.js';

jest.setTimeout(90_000);

// The real GPU captures, beside the repository (see PROVENANCE.md there).
const GPU_FIXTURES = resolve(__dirname, '../../shared/fixtures/gpu');

const telemetryDoc = readFileSync(join(ROOT, 'instrumentation/docs/telemetry.md'), 'utf8');
const documented = documentedNames(telemetryDoc);
const mapNames = documented.filter((d) => d.instrument.startsWith('presize.map.'));
const runtimeNames = documented.filter((d) => /^(v8js|nodejs)\./.test(d.instrument));

/** Reads every 200 ms, but a read may take longer on a loaded machine: a timeout would be logged. */
const GPU_READS_EVERY_200_MS = { PRESIZE_GPU_INTERVAL_MS: '200', PRESIZE_GPU_TIMEOUT_MS: '10000' };

const hasGrowths = (samples: Sample[]) =>
  select(samples, 'presize_map_growths_total', { presize_map_name: 'devices' }).length > 0 &&
  select(samples, 'nodejs_eventloop_delay_p99').length > 0;

/** A histogram's documented `_bucket` name stands for its `_sum` and `_count` too. */
function seriesNames(name: string): string[] {
  return name.endsWith('_bucket')
    ? [name, name.replace(/_bucket$/, '_sum'), name.replace(/_bucket$/, '_count')]
    : [name];
}

describe('register with OTEL_METRICS_EXPORTER=prometheus, ESM service (--import)', () => {
  let service: Service;
  let port: number;
  let samples: Sample[];

  beforeAll(async () => {
    port = await freePort();
    service = startService({
      preload: '--import',
      entry: 'register-service.mjs',
      env: {
        OTEL_SERVICE_NAME: 'presize-register-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
        ...prometheusExporterEnv(port),
        FIXTURE_CJS_MAP: 'devices-cjs',
      },
    });
    await service.line('ready');
    samples = await scrapeUntil(port, hasGrowths);
  });

  afterAll(async () => {
    if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await service.exited;
  }, 60_000);

  test('the map counters of 120,000 inserts: 15 doublings, 32,767 evacuated buckets', () => {
    const devices = { presize_map_name: 'devices' };
    const growths = select(samples, 'presize_map_growths_total', devices);
    expect(growths).toHaveLength(1);
    expect(growths[0]!.labels).toMatchObject({
      presize_map_growth_kind: 'double',
      presize_map_growth_trigger: 'load_factor',
      otel_scope_name: '@presize/instrumentation',
    });
    expect(growths[0]!.value).toBe(15);
    expect(select(samples, 'presize_map_evacuated_buckets_total', devices)[0]!.value).toBe(2 ** 15 - 1);
    expect(select(samples, 'presize_map_overflow_allocations_total', devices).length).toBeGreaterThan(0);
  });

  test('the gauges of the live map', () => {
    const value = (name: string) => select(samples, name, { presize_map_name: 'devices' })[0]?.value;
    expect(value('presize_map_entries')).toBe(120_000);
    expect(value('presize_map_buckets')).toBe(32_768);
    expect(value('presize_map_hint')).toBe(0);
    expect(value('presize_map_growing')).toBe(0);
    expect(value('presize_map_evacuation_progress')).toBe(1);
    expect(value('presize_map_next_growth_at')).toBe(13 * 2 ** 14);
    expect(value('presize_map_load_factor')).toBeCloseTo(120_000 / 32_768, 9);
  });

  test('histograms in seconds with the documented buckets, 15 growths observed', () => {
    const devices = { presize_map_name: 'devices' };
    expect(select(samples, 'presize_map_growth_duration_count', devices)[0]!.value).toBe(15);
    expect(select(samples, 'presize_map_growth_allocation_duration_count', devices)[0]!.value).toBe(15);
    expect(select(samples, 'presize_map_growth_duration_sum', devices)[0]!.value).toBeGreaterThan(0);
    const stallBuckets = select(samples, 'presize_map_evacuation_stall_bucket', devices);
    expect(stallBuckets.map((s) => (s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)))).toEqual([
      ...EVACUATION_STALL_BUCKETS,
      Infinity,
    ]);
    // register exports the stalls through a MetricProducer, under the scope of the other map metrics.
    const growthScope = select(samples, 'presize_map_growths_total', devices)[0]!.labels.otel_scope_name;
    expect(growthScope).toBe('@presize/instrumentation');
    expect(new Set(stallBuckets.map((s) => s.labels.otel_scope_name))).toEqual(new Set([growthScope]));
    const stallCount = select(samples, 'presize_map_evacuation_stall_count', devices)[0]!.value;
    expect(stallBuckets[stallBuckets.length - 1]!.value).toBe(stallCount);
    // Between one and two old buckets per evacuating write.
    expect(stallCount).toBeGreaterThanOrEqual((2 ** 15 - 1) / 2);
    expect(stallCount).toBeLessThanOrEqual(2 ** 15 - 1);
  });

  test('a map built through the CommonJS copy of the package is observed as well', () => {
    const growths = select(samples, 'presize_map_growths_total', { presize_map_name: 'devices-cjs' });
    // 50,000 inserts with no hint: 13 doublings (the 13th starts at 13 * 2^11 = 26,624 entries).
    expect(growths.map((s) => s.value)).toEqual([13]);
    expect(select(samples, 'presize_map_entries', { presize_map_name: 'devices-cjs' })[0]!.value).toBe(50_000);
  });

  test('every presize metric in the scrape is documented, under its Prometheus exporter name', () => {
    const exporterNames = new Set(mapNames.flatMap((d) => seriesNames(d.prometheusExporter)));
    const scraped = new Set(samples.filter((s) => s.name.startsWith('presize_')).map((s) => s.name));
    expect([...scraped].filter((name) => !exporterNames.has(name))).toEqual([]);
    // And every documented map instrument is there; names that differ through OTLP are not. The
    // engine-limit gauges come only with native Maps and Sets (test/native-engine-limit.test.ts).
    expect(mapNames.length).toBeGreaterThanOrEqual(14);
    for (const { prometheusExporter, otlp } of mapNames.filter(
      (d) => !d.instrument.startsWith('presize.map.engine_limit'),
    )) {
      for (const name of seriesNames(prometheusExporter)) expect(scraped).toContain(name);
      if (otlp !== prometheusExporter) expect(scraped).not.toContain(otlp);
    }
  });

  test('runtime metrics from instrumentation-runtime-node under their documented names', () => {
    const names = new Set(samples.map((s) => s.name));
    expect(runtimeNames.length).toBeGreaterThanOrEqual(5);
    for (const { prometheusExporter } of runtimeNames) {
      for (const name of seriesNames(prometheusExporter)) expect(names).toContain(name);
    }
  });

  test('the resource carries OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
    const [target] = select(samples, 'target_info');
    expect(target!.labels).toMatchObject({
      service_name: 'presize-register-test',
      deployment_environment_name: 'test',
    });
    // No GPU source, no GPU resource attribute.
    expect(Object.keys(target!.labels).filter((name) => name.startsWith('presize_gpu'))).toEqual([]);
  });

  test('a real Prometheus scraping the service finds the counters under its job label', async () => {
    let prometheus: PrometheusHandle | undefined;
    try {
      prometheus = await startPrometheus({ scrape: [{ job: 'device-logs', target: `127.0.0.1:${port}` }] });
      const [growths] = await prometheus.waitFor(
        'presize_map_growths_total{presize_map_name="devices"}',
        (result) => result.length === 1,
        30_000,
      );
      expect(growths!.metric).toMatchObject({ job: 'device-logs', presize_map_growth_kind: 'double' });
      expect(growths!.value).toBe(15);
    } finally {
      await prometheus?.stop();
    }
  });

  test('SIGTERM: telemetry shuts down and the process dies by SIGTERM, as it would without it', async () => {
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(service.stderr()).toBe('');
  });
});

describe('register with OTEL_METRICS_EXPORTER=prometheus, CommonJS service (--require)', () => {
  test('serves the same counters, and SIGINT ends the process by SIGINT', async () => {
    const { port, service } = await startServiceOnPrometheus({
      preload: '--require',
      entry: 'register-service.cjs',
      env: {
        OTEL_SERVICE_NAME: 'presize-register-cjs',
      },
    });
    try {
      await service.line('ready');
      const samples = await scrapeUntil(port, hasGrowths);
      expect(select(samples, 'presize_map_growths_total', { presize_map_name: 'devices' })[0]!.value).toBe(15);
      expect(select(samples, 'target_info')[0]!.labels.service_name).toBe('presize-register-cjs');
    } finally {
      service.child.kill('SIGINT');
    }
    expect(await service.exited).toEqual({ code: null, signal: 'SIGINT' });
  });
});

describe('register with PRESIZE_GPU_SOURCE set', () => {
  test('the Prometheus endpoint serves the GPU series beside the map metrics, and target_info marks them simulated', async () => {
    const { port, service } = await startServiceOnPrometheus({
      preload: '--import',
      entry: 'register-service.mjs',
      env: {
        OTEL_SERVICE_NAME: 'presize-register-gpu',
        PRESIZE_GPU_SOURCE: 'simulated',
        ...GPU_READS_EVERY_200_MS,
      },
    });
    let prometheus: PrometheusHandle | undefined;
    try {
      await service.line('ready');
      const samples = await scrapeUntil(
        port,
        (s) => hasGrowths(s) && select(s, 'DCGM_FI_DEV_GPU_UTIL').length > 0 && select(s, 'presize_gpu_up').length > 0,
      );
      expect(select(samples, 'presize_map_growths_total', { presize_map_name: 'devices' })[0]!.value).toBe(15);
      expect(select(samples, 'DCGM_FI_DEV_GPU_UTIL').length).toBeGreaterThanOrEqual(1);
      expect(select(samples, 'presize_gpu_up')[0]!.value).toBe(1);
      const targets = select(samples, 'target_info');
      expect(targets).toHaveLength(1);
      expect(targets[0]!.labels).toMatchObject({
        service_name: 'presize-register-gpu',
        presize_gpu_source: 'simulated',
        presize_gpu_simulated: 'true',
      });
      // The mark is the resource's: the DCGM series keep dcgm-exporter's labels only.
      const dcgmLabels = new Set(
        samples.filter((s) => s.name.startsWith('DCGM_')).flatMap((s) => Object.keys(s.labels)),
      );
      expect([...dcgmLabels].sort()).toEqual(
        [
          'DCGM_FI_DRIVER_VERSION',
          'Hostname',
          'UUID',
          'device',
          'gpu',
          'modelName',
          'otel_scope_name',
          'otel_scope_version',
          'pci_bus_id',
        ].sort(),
      );

      // The joins docs/telemetry.md gives, on a real Prometheus.
      prometheus = await startPrometheus({ scrape: [{ job: 'demo', target: `127.0.0.1:${port}` }] });
      const simulated = await prometheus.waitFor(
        'DCGM_FI_DEV_GPU_UTIL and on (job, instance) target_info{presize_gpu_simulated="true"}',
        (result) => result.length === 2,
        30_000,
      );
      expect(simulated.map((s) => s.metric.gpu).sort()).toEqual(['0', '1']);
      expect(
        await prometheus.query(
          'DCGM_FI_DEV_GPU_UTIL unless on (job, instance) target_info{presize_gpu_simulated="true"}',
        ),
      ).toEqual([]);
    } finally {
      await prometheus?.stop();
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(service.stderr()).toBe('');
  });

  test('a replayed capture that mixes other metrics into the DCGM fields adds no second family to the page, and Prometheus takes the scrape', async () => {
    // A real L4 scrape with what a whole /metrics page or a proxy adds: names this page has too.
    const dir = mkdtempSync(join(tmpdir(), 'presize-register-gpu-'));
    const capture = join(dir, 'mixed.prom');
    const foreign = [
      '# HELP target_info Target metadata',
      '# TYPE target_info gauge',
      'target_info{service_name="dcgm-exporter"} 1',
      '# TYPE presize_map_growths_total counter',
      'presize_map_growths_total{presize_map_name="devices"} 3',
      'up 1',
      '',
    ].join('\n');
    writeFileSync(
      capture,
      readFileSync(join(GPU_FIXTURES, 'dcgm-scrapes/cncf-kops__nvidia-l4__1gpu__default-counters.prom'), 'utf8') +
        foreign,
    );
    const { port, service } = await startServiceOnPrometheus({
      preload: '--import',
      entry: 'register-service.mjs',
      env: {
        OTEL_SERVICE_NAME: 'presize-register-gpu-file',
        PRESIZE_GPU_SOURCE: 'file',
        PRESIZE_GPU_FILE: capture,
        ...GPU_READS_EVERY_200_MS,
      },
    });
    let prometheus: PrometheusHandle | undefined;
    try {
      await service.line('ready');
      // parseExposition fails on a family whose # TYPE comes twice.
      const samples = await scrapeUntil(
        port,
        (s) => hasGrowths(s) && select(s, 'presize_gpu_dropped_values_total').length > 0,
      );
      expect(select(samples, 'target_info')).toHaveLength(1);
      expect(select(samples, 'target_info')[0]!.labels).toMatchObject({
        service_name: 'presize-register-gpu-file',
        presize_gpu_source: 'file',
      });
      expect(select(samples, 'target_info')[0]!.labels.presize_gpu_simulated).toBeUndefined();
      expect(select(samples, 'presize_map_growths_total', { presize_map_name: 'devices' }).map((s) => s.value)).toEqual(
        [15],
      );
      expect(select(samples, 'up')).toEqual([]);
      expect(select(samples, 'DCGM_FI_DEV_POWER_USAGE').map((s) => s.value)).toEqual([16.365]);
      const dropped = select(samples, 'presize_gpu_dropped_values_total', {
        presize_gpu_drop_reason: 'not_dcgm_field',
      });
      expect(dropped.map((s) => s.labels.presize_gpu_field).sort()).toEqual([
        'presize_map_growths_total',
        'target_info',
        'up',
      ]);

      prometheus = await startPrometheus({ scrape: [{ job: 'gpu-host', target: `127.0.0.1:${port}` }] });
      const [power] = await prometheus.waitFor(
        'DCGM_FI_DEV_POWER_USAGE{job="gpu-host"}',
        (result) => result.length === 1,
        30_000,
      );
      expect(power!.value).toBe(16.365);
      expect((await prometheus.query('up{job="gpu-host"}')).map((s) => s.value)).toEqual([1]);
      expect(
        (await prometheus.query('presize_map_growths_total{job="gpu-host",presize_map_name="devices"}')).map(
          (s) => s.value,
        ),
      ).toEqual([15]);
    } finally {
      await prometheus?.stop();
      service.child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await service.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(service.stderr()).toBe('');
  });
});

describe('register without OTEL_LOG_LEVEL', () => {
  test("writes Presize's own warnings once, such as a dcgm-exporter nobody answers at, and not the SDK's warnings about settings", async () => {
    const [port, nobody] = [await freePort(), await freePort()];
    const service = startService({
      preload: '--import',
      entry: 'register-service.mjs',
      env: {
        OTEL_SERVICE_NAME: 'presize-register-warnings',
        // With no traces exported NodeSDK warns that it "will not be initialized", which is not so and not news.
        ...prometheusExporterEnv(port),
        PRESIZE_GPU_SOURCE: 'dcgm-exporter',
        PRESIZE_GPU_URL: `http://127.0.0.1:${nobody}/metrics`,
        PRESIZE_GPU_INTERVAL_MS: '100',
        // Reads every 100 ms, but a read may take longer on a loaded machine; a timeout would be logged.
        PRESIZE_GPU_TIMEOUT_MS: '10000',
      },
    });
    try {
      await service.line('ready');
      const samples = await scrapeUntil(port, (s) =>
        select(s, 'presize_gpu_scrape_errors_total').some((e) => e.value >= 3),
      );
      expect(select(samples, 'presize_gpu_up').map((s) => s.value)).toEqual([0]);
    } finally {
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(service.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^@presize/instrumentation: @presize/instrumentation/gpu GPU values withdrawn \\(unreachable\\): .*127\\.0\\.0\\.1:${nobody}.* \\(shown once; repeats are not logged\\)$`,
        ),
      ),
    ]);
  });
});

describe('register: when the Prometheus endpoint starts listening', () => {
  const env = (port: number): Record<string, string> => ({
    OTEL_SERVICE_NAME: 'presize-register-early',
    ...prometheusExporterEnv(port),
    PRESIZE_GPU_SOURCE: 'simulated',
  });

  test('a scrape the moment the port opens already gets the complete resource, and nothing is logged', async () => {
    const port = await freePort();
    const service = startService({ preload: '--import', entry: 'register-service.mjs', env: env(port) });
    let first: string | undefined;
    try {
      // As a Prometheus that was already scraping the address would: every few milliseconds.
      const deadline = Date.now() + 20_000;
      while (first === undefined && Date.now() < deadline) {
        first = await scrape(port).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          return undefined;
        });
      }
      await service.line('ready');
    } finally {
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(service.stderr()).toBe('');
    const [targetInfo] = select(parseExposition(first!), 'target_info');
    expect(targetInfo!.labels.service_name).toBe('presize-register-early');
    // The host detector reads the machine id asynchronously; the first scrape carries it.
    const machineId = ['/etc/machine-id', '/var/lib/dbus/machine-id']
      .map((file) => (existsSync(file) ? readFileSync(file, 'utf8').trim() : ''))
      .find((id) => id !== '');
    if (machineId !== undefined) expect(targetInfo!.labels.host_id).toBe(machineId);
  });

  test('a port already taken is reported once, naming the address, and the service runs on', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    const service = startService({ preload: '--import', entry: 'register-service.mjs', env: env(port) });
    try {
      await service.line('ready');
      // The server starts once the resource has settled, which may be after the service is ready.
      const deadline = Date.now() + 10_000;
      while (!service.stderr().includes('EADDRINUSE') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(service.child.exitCode).toBeNull();
    } finally {
      service.child.kill('SIGTERM');
      taken.close();
    }
    expect(await service.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(service.stderr().trim().split('\n')).toEqual([
      `@presize/instrumentation: the Prometheus exporter serves no metrics: listen EADDRINUSE: address already in use 127.0.0.1:${port} (shown once; repeats are not logged)`,
    ]);
  });
});

describe('register: shut down before the endpoint opened', () => {
  test('the endpoint never opens afterwards', async () => {
    const { service } = await startServiceOnPrometheus({
      preload: '--import',
      entry: 'register-shutdown-early.mjs',
    });
    expect(await service.line('listening')).toEqual({ listening: false });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(service.stderr()).toBe('');
  });
});
