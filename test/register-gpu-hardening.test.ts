// register in a real child process, with GPU sources and settings a careless user or an attacker
// gives it: the service still ends by itself, leaves no process behind, shows no secret, says what
// a bad setting does, and reports a second collector outage as it did the first.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readCapture } from '@presize/gpu';
import { pidsIn, survivors } from '../gpu/test/processes.js';
import { hungSmiWrapper, namedPipe } from './support/gpu-stand-ins.js';
import { scrape, scrapeUntil, select } from './support/scrape.js';
import { startService, startServiceOnPrometheus, type Service } from './support/service-process.js';
import { SwitchableCollector } from './support/switchable-collector.js';

jest.setTimeout(90_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'presize-register-hardening-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A service that does its work and ends by itself, with no exporter, only the GPU source. */
const selfEnding = (env: Record<string, string>): Service =>
  startService({
    preload: '--import',
    entry: 'register-service.mjs',
    env: {
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_TRACES_EXPORTER: 'none',
      FIXTURE_MODE: 'exit',
      FIXTURE_EXIT_CODE: '5',
      FIXTURE_ENTRIES: '1000',
      ...env,
    },
  });

const stderrLines = (service: Service): string[] =>
  service
    .stderr()
    .trim()
    .split('\n')
    .filter((line) => line !== '');

describe('register with a GPU source that would wedge the host', () => {
  test('PRESIZE_GPU_FILE naming a named pipe: refused by name, and the service still ends by itself', async () => {
    const fifo = namedPipe(dir, 'capture.fifo');
    const service = selfEnding({
      PRESIZE_GPU_SOURCE: 'file',
      PRESIZE_GPU_FILE: fifo,
      PRESIZE_GPU_INTERVAL_MS: '100',
      PRESIZE_GPU_TIMEOUT_MS: '10000',
    });
    expect(await service.exited).toEqual({ code: 5, signal: null });
    expect(stderrLines(service)).toEqual([
      `@presize/instrumentation: @presize/instrumentation/gpu GPU values withdrawn (read_failed): ${fifo} is a named pipe; only a regular file can be replayed (shown once; repeats are not logged)`,
    ]);
  });

  test('an nvidia-smi wrapper that hangs with a child on its output: the service ends, and no process survives it', async () => {
    const pids = join(dir, 'smi.pids');
    const service = selfEnding({
      PRESIZE_GPU_SOURCE: 'nvidia-smi',
      PRESIZE_GPU_NVIDIA_SMI: hungSmiWrapper(dir, pids),
      PRESIZE_GPU_INTERVAL_MS: '100',
      PRESIZE_GPU_TIMEOUT_MS: '500',
    });
    expect(await service.exited).toEqual({ code: 5, signal: null });
    expect(pidsIn(pids).length).toBeGreaterThanOrEqual(2);
    expect(await survivors(pidsIn(pids))).toEqual([]);
    expect(stderrLines(service)).toEqual([
      expect.stringMatching(
        /^@presize\/instrumentation: @presize\/instrumentation\/gpu GPU values withdrawn \(timeout\): .*nvidia-smi-hung gave no answer within 500 ms/,
      ),
    ]);
  });
});

describe('register with credentials for dcgm-exporter', () => {
  const SECRET = 'tok3n-n0t-f0r-l0gs';
  let exporter: Server;
  let base: string;
  beforeAll(async () => {
    exporter = createServer((_request, response) => {
      response.statusCode = 401;
      response.end('unauthorised');
    });
    await new Promise<void>((done) => exporter.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(exporter.address() as AddressInfo).port}/metrics`;
  });
  afterAll(async () => {
    exporter.closeAllConnections();
    await new Promise((done) => exporter.close(done));
  }, 60_000);

  test('a token in the query string is in no log line and no label', async () => {
    const { port, service } = await startServiceOnPrometheus({
      preload: '--import',
      entry: 'register-service.mjs',
      env: {
        FIXTURE_ENTRIES: '1000',
        PRESIZE_GPU_SOURCE: 'dcgm-exporter',
        PRESIZE_GPU_URL: `${base}?token=${SECRET}`,
        PRESIZE_GPU_INTERVAL_MS: '100',
        PRESIZE_GPU_TIMEOUT_MS: '10000',
      },
    });
    let text = '';
    try {
      await service.line('ready');
      const samples = await scrapeUntil(port, (s) => select(s, 'presize_gpu_scrape_errors_total').length > 0);
      expect(select(samples, 'presize_gpu_up')[0]?.labels.presize_gpu_source_target).toBe(`${base}?redacted`);
      text = await scrape(port);
    } finally {
      service.child.kill('SIGTERM');
    }
    await service.exited;
    expect(text).not.toContain(SECRET);
    expect(service.stderr()).not.toContain(SECRET);
    expect(stderrLines(service)).toEqual([
      `@presize/instrumentation: @presize/instrumentation/gpu GPU values withdrawn (http_status): ${base}?redacted answered HTTP 401 Unauthorized (shown once; repeats are not logged)`,
    ]);
  });

  test('a user and password in the URL are refused at start-up, and not shown', async () => {
    const service = selfEnding({
      PRESIZE_GPU_SOURCE: 'dcgm-exporter',
      PRESIZE_GPU_URL: base.replace('http://', `http://admin:${SECRET}@`),
    });
    expect(await service.exited).toEqual({ code: 5, signal: null });
    expect(stderrLines(service)).toEqual([
      `@presize/instrumentation: PRESIZE_GPU_URL="${base}" carries a user or password, which would be shown wherever the URL is; pass credentials as headers instead (PRESIZE_GPU_HEADERS); GPU metrics are off (shown once; repeats are not logged)`,
    ]);
  });
});

describe('register with more GPU series than PRESIZE_GPU_MAX_SERIES', () => {
  const h100x8 = readFileSync(
    resolve(
      __dirname,
      '../../shared/fixtures/gpu/dcgm-scrapes/nvidia-aicr__h100-80gb-hbm3__8gpu__k8s-labels__sampled.prom',
    ),
    'utf8',
  );
  // The series of GPUs 0 to 2 of the eight: the cap that lets exactly them through.
  const firstThree = readCapture(h100x8).series.filter((series) => ['0', '1', '2'].includes(series.labels['gpu']!));

  test('exports the first GPUs up to the cap, counts the rest as series_cap, and warns once', async () => {
    const capture = join(dir, 'h100x8.prom');
    writeFileSync(capture, h100x8);
    const { port, service } = await startServiceOnPrometheus({
      preload: '--import',
      entry: 'register-service.mjs',
      env: {
        FIXTURE_ENTRIES: '1000',
        PRESIZE_GPU_SOURCE: 'file',
        PRESIZE_GPU_FILE: capture,
        PRESIZE_GPU_INTERVAL_MS: '100',
        PRESIZE_GPU_TIMEOUT_MS: '60000',
        PRESIZE_GPU_MAX_SERIES: String(firstThree.length),
      },
    });
    let samples: Awaited<ReturnType<typeof scrapeUntil>> = [];
    try {
      await service.line('ready');
      samples = await scrapeUntil(
        port,
        (s) =>
          select(s, 'presize_gpu_dropped_values_total', { presize_gpu_drop_reason: 'series_cap' }).length > 0 &&
          select(s, 'presize_gpu_series').length > 0,
        60_000,
      );
    } finally {
      service.child.kill('SIGTERM');
    }
    await service.exited;
    const gpus = new Set(samples.filter((s) => s.name.startsWith('DCGM_')).map((s) => s.labels.gpu));
    expect([...gpus].sort()).toEqual(['0', '1', '2']);
    expect(samples.filter((s) => s.name.startsWith('DCGM_'))).toHaveLength(firstThree.length);
    expect(select(samples, 'presize_gpu_series').map((s) => s.value)).toEqual([firstThree.length]);
    const capWarnings = stderrLines(service).filter((line) => line.includes('PRESIZE_GPU_MAX_SERIES'));
    expect(capWarnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^@presize/instrumentation: @presize/instrumentation/gpu .* more than maxSeries \\(PRESIZE_GPU_MAX_SERIES\\) = ${firstThree.length}; .*series_cap\\) \\(shown once; repeats are not logged\\)$`,
        ),
      ),
    ]);
  });

  test('a value that is not a positive whole number is refused by name, and GPU metrics stay off', async () => {
    const service = selfEnding({ PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_MAX_SERIES: 'lots' });
    expect(await service.exited).toEqual({ code: 5, signal: null });
    expect(stderrLines(service)).toEqual([
      '@presize/instrumentation: PRESIZE_GPU_MAX_SERIES="lots" is not a positive whole number of series; GPU metrics are off (shown once; repeats are not logged)',
    ]);
  });
});

describe('register says what a bad setting does', () => {
  test('OTEL_METRICS_EXPORTER=bogus: one line saying metrics are not exported', async () => {
    const service = selfEnding({ OTEL_METRICS_EXPORTER: 'bogus' });
    expect(await service.exited).toEqual({ code: 5, signal: null });
    expect(stderrLines(service)).toEqual([
      '@presize/instrumentation: OTEL_METRICS_EXPORTER="bogus": unknown "bogus" ignored (expected a comma-separated list of otlp, prometheus, console, none); metrics are not exported (shown once; repeats are not logged)',
    ]);
  });
});

describe('register and a collector that goes down twice', () => {
  test('the second outage is reported as the first was, and the recovery between them is shown', async () => {
    const collector = new SwitchableCollector();
    const endpoint = await collector.start();
    const service = startService({
      preload: '--import',
      entry: 'register-service.mjs',
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRIC_EXPORT_INTERVAL: '300',
        OTEL_EXPORTER_OTLP_TIMEOUT: '200',
        FIXTURE_ENTRIES: '1000',
      },
    });
    const waitFor = async (done: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`${what} did not happen; stderr:\n${service.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const failures = (): number =>
      stderrLines(service).filter((line) => line.endsWith('(shown once; repeats are not logged)')).length;
    const recoveries = (): number =>
      stderrLines(service).filter((line) => line.includes('metrics export (otlp) succeeds again')).length;
    try {
      await service.line('ready');
      await waitFor(() => failures() > 0, 'a first failure report');
      collector.up = true;
      await waitFor(() => recoveries() === 1, 'a recovery report');
      const firstOutage = failures();
      collector.up = false;
      await waitFor(() => failures() > firstOutage, 'a second failure report');
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
      await collector.stop();
    }
    const lines = stderrLines(service);
    const recovery = lines.findIndex((line) => line.includes('succeeds again'));
    expect(lines[recovery]).toBe(
      '@presize/instrumentation: metrics export (otlp) succeeds again (its failures will be shown again if they recur)',
    );
    // The same kind of failure, shown before and again after the recovery.
    const before = new Set(lines.slice(0, recovery));
    expect(lines.slice(recovery + 1).some((line) => before.has(line))).toBe(true);
  });
});
