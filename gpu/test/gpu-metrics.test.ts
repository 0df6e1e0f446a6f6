import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../src/read-capture.js';
import type { GpuSample } from '../src/sample.js';
import { gpuResourceAttributes } from '../src/resource-attributes.js';
import { FileSource } from '../src/sources/file-source.js';
import { SimulatedSource, simulatedUtilization } from '../src/sources/simulated-source.js';
import { fixture, SCRAPES, T4_SCRAPE_LABELS } from './fixtures.js';
import { harness, metric, metricNames, points, type Harness } from './otel-harness.js';
import { captureDiagWarnings } from '../../test/support/diag-warnings.js';

describe('GpuMetrics through the OpenTelemetry SDK', () => {
  let dir: string;
  let capture: string;
  let current: Harness | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'presize-gpu-'));
    capture = join(dir, 'capture.prom');
  });
  afterEach(async () => {
    await current?.shutdown();
    current = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const fileSource = (): Record<string, string> => ({
    'presize.gpu.source': 'file',
    'presize.gpu.source.target': capture,
  });

  const replaying = (text: string, options: Partial<Parameters<typeof harness>[0]> = {}): Harness => {
    writeFileSync(capture, text);
    current = harness({ source: new FileSource(capture), ...options });
    return current;
  };

  it('exports every field of a scrape under its DCGM name with dcgm-exporter labels', async () => {
    const { gpu, collect } = replaying(fixture(SCRAPES.t4));
    expect((await gpu.scrape()).ok).toBe(true);
    const collected = await collect();
    const dcgmNames = metricNames(collected).filter((name) => name.startsWith('DCGM_'));
    expect(dcgmNames).toHaveLength(20);
    expect(points(collected, 'DCGM_FI_DEV_GPU_UTIL')).toEqual([[T4_SCRAPE_LABELS, 91]]);
    expect(points(collected, 'DCGM_FI_DEV_FB_USED')).toEqual([[T4_SCRAPE_LABELS, 5120]]);
    const util = metric(collected, 'DCGM_FI_DEV_GPU_UTIL');
    expect(util?.dataPointType).toBe(DataPointType.GAUGE);
    expect(util?.descriptor).toMatchObject({ unit: '', description: 'GPU utilization (in %).' });
    const energy = metric(collected, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION');
    expect(energy).toMatchObject({
      dataPointType: DataPointType.SUM,
      isMonotonic: false,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
    });
    expect(points(collected, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).toEqual([[T4_SCRAPE_LABELS, 15152422938]]);
    expect(points(collected, 'presize.gpu.up')).toEqual([[fileSource(), 1]]);
    expect(points(collected, 'presize.gpu.series')).toEqual([[fileSource(), 20]]);
    expect(points(collected, 'presize.gpu.scrape.duration')[0]?.[1]).toBeGreaterThanOrEqual(0);
  });

  it('serializes through the Prometheus exporter under the exact dcgm-exporter names, counters without _total', async () => {
    const { gpu, prometheusText } = replaying(fixture(SCRAPES.l4));
    await gpu.scrape();
    const text = await prometheusText();
    expect(text).toContain('# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION gauge\n');
    expect(text).toMatch(
      /^DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{gpu="0",UUID="GPU-c2f76b33-7953-256e-8f33-1343419b1a1c",pci_bus_id="00000000:31:00.0",device="nvidia0",modelName="NVIDIA L4",Hostname="i-030791dc5a37cd257",DCGM_FI_DRIVER_VERSION="580.105.08"\} 4742776$/m,
    );
    expect(text).toMatch(/^DCGM_FI_DEV_PCIE_REPLAY_COUNTER\{.*\} 0$/m);
    expect(text).toMatch(/^DCGM_FI_DEV_POWER_USAGE\{.*\} 16\.365$/m);
    expect(text).toContain('# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n');
    expect(text).not.toMatch(/DCGM_\w+_total/);
    expect(text).toContain(`presize_gpu_up{presize_gpu_source="file",presize_gpu_source_target="${capture}"} 1\n`);
  });

  it('with monotonicCounters, exports counters as OpenTelemetry counters, which Prometheus then names _total', async () => {
    const { gpu, prometheusText, collect } = replaying(fixture(SCRAPES.l4), { monotonicCounters: true });
    await gpu.scrape();
    expect(metric(await collect(), 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).toMatchObject({ isMonotonic: true });
    const text = await prometheusText();
    expect(text).toContain('# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total counter\n');
    expect(text).toMatch(/^DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS_total\{/m);
    expect(text).toMatch(/^DCGM_FI_DEV_GPU_TEMP\{/m);
  });

  it('withdraws the values when a read fails (not frozen), counts the error, and brings them back after', async () => {
    const { gpu, collect } = replaying(fixture(SCRAPES.t4));
    await gpu.scrape();
    expect(points(await collect(), 'DCGM_FI_DEV_GPU_TEMP')).toEqual([[T4_SCRAPE_LABELS, 74]]);

    unlinkSync(capture);
    const failed = await gpu.scrape();
    expect(failed).toMatchObject({ ok: false, reason: 'read_failed' });
    const during = await collect();
    expect(metricNames(during).filter((name) => name.startsWith('DCGM_'))).toEqual([]);
    expect(points(during, 'presize.gpu.up')).toEqual([[fileSource(), 0]]);
    expect(points(during, 'presize.gpu.scrape.errors')).toEqual([
      [{ ...fileSource(), 'error.type': 'read_failed' }, 1],
    ]);
    expect(points(during, 'presize.gpu.series')).toEqual([[fileSource(), 0]]);

    writeFileSync(capture, fixture(SCRAPES.t4).replace('} 74\n', '} 75\n'));
    await gpu.scrape();
    const after = await collect();
    expect(points(after, 'DCGM_FI_DEV_GPU_TEMP')).toEqual([[T4_SCRAPE_LABELS, 75]]);
    expect(points(after, 'presize.gpu.up')).toEqual([[fileSource(), 1]]);
    expect(points(after, 'presize.gpu.scrape.errors')).toEqual([[{ ...fileSource(), 'error.type': 'read_failed' }, 1]]);
  });

  it("keeps only the latest read's series when pods come and go", async () => {
    const base = fixture(SCRAPES.h100x8);
    const { gpu, collect } = replaying(base);
    for (let round = 0; round < 50; round++) {
      writeFileSync(capture, base.replaceAll('vllm-agg-0-vllmdecodeworker-s65j5', `decode-worker-${round}`));
      await gpu.scrape();
      const collected = await collect();
      const temps = points(collected, 'DCGM_FI_DEV_GPU_TEMP');
      expect(temps).toHaveLength(8);
      expect(temps.filter(([attributes]) => attributes['pod'] !== undefined)).toEqual([
        [expect.objectContaining({ pod: `decode-worker-${round}` }), 30],
      ]);
    }
  });

  it('starts a counter series at its first read, and again after it went down (a reset)', async () => {
    const { gpu, collect } = replaying(fixture(SCRAPES.t4));
    const energyStart = async (): Promise<unknown> => {
      const data = metric(await collect(), 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION');
      return data?.dataPoints[0]?.startTime;
    };
    await gpu.scrape();
    const first = await energyStart();
    await new Promise((done) => setTimeout(done, 5));
    writeFileSync(capture, fixture(SCRAPES.t4).replace('15152422938', '15152500000'));
    await gpu.scrape();
    expect(await energyStart()).toEqual(first);
    await new Promise((done) => setTimeout(done, 5));
    writeFileSync(capture, fixture(SCRAPES.t4).replace('15152422938', '1000'));
    await gpu.scrape();
    expect(await energyStart()).not.toEqual(first);
  });

  it('counts dropped values by reason and field, and malformed lines, and exports neither', async () => {
    const text = fixture(SCRAPES.l4)
      .replace(/(DCGM_FI_DEV_POWER_USAGE\{[^}]*\}) 16\.365000/, '$1 140737488355330')
      .replace(/(DCGM_FI_DEV_GPU_UTIL\{[^}]*\}) 0/, '$1 101')
      .concat('this is not a metric line\nDCGM_FI_DEV_GPU_TEMP{gpu="0" 31\n');
    const { gpu, collect } = replaying(text);
    const result = await gpu.scrape();
    expect(result.ok).toBe(true);
    const collected = await collect();
    expect(metric(collected, 'DCGM_FI_DEV_POWER_USAGE')).toBeUndefined();
    expect(metric(collected, 'DCGM_FI_DEV_GPU_UTIL')).toBeUndefined();
    expect(points(collected, 'presize.gpu.dropped_values').sort()).toEqual(
      [
        [
          {
            ...fileSource(),
            'presize.gpu.drop.reason': 'blank_sentinel',
            'presize.gpu.field': 'DCGM_FI_DEV_POWER_USAGE',
          },
          1,
        ],
        [
          {
            ...fileSource(),
            'presize.gpu.drop.reason': 'utilization_out_of_range',
            'presize.gpu.field': 'DCGM_FI_DEV_GPU_UTIL',
          },
          1,
        ],
      ].sort(),
    );
    expect(points(collected, 'presize.gpu.malformed_lines')).toEqual([[fileSource(), 2]]);
  });

  it('exports only DCGM fields: other metrics in a scrape are counted as dropped, never re-exported', async () => {
    // What a proxy or a capture taken from a whole /metrics page mixes in: names the host's own
    // exporter also writes, so re-exporting them would put a family twice on the host's page.
    const foreign = [
      '# HELP up Whether the target is up.',
      '# TYPE up gauge',
      'up 1',
      '# HELP target_info Target metadata',
      '# TYPE target_info gauge',
      'target_info{service_name="dcgm-exporter"} 1',
      'presize_map_growths_total{presize_map_name="devices"} 3',
      'process_cpu_seconds_total 12.5',
      '',
    ].join('\n');
    const { gpu, collect, prometheusText } = replaying(`${fixture(SCRAPES.l4)}${foreign}`);
    const result = await gpu.scrape();
    expect(result.ok && result.sample.dropped.map(({ field, reason }) => [field, reason])).toEqual([
      ['up', 'not_dcgm_field'],
      ['target_info', 'not_dcgm_field'],
      ['presize_map_growths_total', 'not_dcgm_field'],
      ['process_cpu_seconds_total', 'not_dcgm_field'],
    ]);
    const collected = await collect();
    expect(
      metricNames(collected).filter((name) => !name.startsWith('DCGM_') && !name.startsWith('presize.gpu.')),
    ).toEqual([]);
    expect(points(collected, 'DCGM_FI_DEV_POWER_USAGE')).toHaveLength(1);
    const dropped = (field: string): [Record<string, string>, number] => [
      { ...fileSource(), 'presize.gpu.drop.reason': 'not_dcgm_field', 'presize.gpu.field': field },
      1,
    ];
    expect(points(collected, 'presize.gpu.dropped_values')).toEqual(
      ['up', 'target_info', 'presize_map_growths_total', 'process_cpu_seconds_total'].map(dropped),
    );
    const text = await prometheusText();
    expect(text).not.toMatch(/^(up|target_info|presize_map_growths_total|process_cpu_seconds_total)[{ ]/m);
    expect(text).toMatch(/^DCGM_FI_DEV_POWER_USAGE\{.*\} 16\.365$/m);
  });

  it('exports a series that a capture repeats once, with its last value', async () => {
    const line = fixture(SCRAPES.t4)
      .split('\n')
      .find((candidate) => candidate.startsWith('DCGM_FI_DEV_GPU_TEMP')) as string;
    const { gpu, collect } = replaying(`${fixture(SCRAPES.t4)}${line.replace(/ 74$/, ' 80')}\n`);
    await gpu.scrape();
    expect(points(await collect(), 'DCGM_FI_DEV_GPU_TEMP')).toEqual([[T4_SCRAPE_LABELS, 80]]);
  });

  it('stop() withdraws every GPU series and the health gauges', async () => {
    const { gpu, collect } = replaying(fixture(SCRAPES.t4));
    await gpu.scrape();
    await gpu.stop();
    const collected = await collect();
    expect(metricNames(collected).filter((name) => name.startsWith('DCGM_'))).toEqual([]);
    expect(points(collected, 'presize.gpu.up')).toEqual([]);
  });
});

describe("a GpuSource of the user's own", () => {
  it('that throws something unexpected gives a failed read (source_failed), not an exception in the host', async () => {
    const broken = {
      kind: 'file' as const,
      description: 'broken source',
      read: (): Promise<never> => Promise.reject(new TypeError('undefined is not a function')),
    };
    const h = harness({ source: broken });
    try {
      await expect(h.gpu.scrape()).resolves.toMatchObject({
        ok: false,
        reason: 'source_failed',
        message: 'broken source: undefined is not a function',
      });
      expect(points(await h.collect(), 'presize.gpu.scrape.errors')).toEqual([
        [
          { 'presize.gpu.source': 'file', 'presize.gpu.source.target': 'broken source', 'error.type': 'source_failed' },
          1,
        ],
      ]);
    } finally {
      await h.shutdown();
    }
  });

  it('that ignores the abort signal and never answers still gives a timeout, and its values disappear rather than freeze', async () => {
    let answer: (signal: AbortSignal) => Promise<GpuSample> = () => Promise.resolve(readCapture(fixture(SCRAPES.t4)));
    const deaf = {
      kind: 'file' as const,
      description: 'deaf source',
      read: (signal: AbortSignal): Promise<GpuSample> => answer(signal),
    };
    const h = harness({ source: deaf, intervalMs: 1000, timeoutMs: 50 });
    try {
      expect((await h.gpu.scrape()).ok).toBe(true);
      expect(points(await h.collect(), 'DCGM_FI_DEV_GPU_TEMP')).toEqual([[T4_SCRAPE_LABELS, 74]]);

      answer = () => new Promise<never>(() => undefined);
      const started = Date.now();
      await expect(h.gpu.scrape()).resolves.toMatchObject({
        ok: false,
        reason: 'timeout',
        message: 'deaf source gave no answer within 50 ms',
      });
      expect(Date.now() - started).toBeLessThan(1000);
      const collected = await h.collect();
      expect(metricNames(collected).filter((name) => name.startsWith('DCGM_'))).toEqual([]);
      expect(points(collected, 'presize.gpu.up')).toEqual([
        [{ 'presize.gpu.source': 'file', 'presize.gpu.source.target': 'deaf source' }, 0],
      ]);
      expect(points(collected, 'presize.gpu.scrape.errors')).toEqual([
        [{ 'presize.gpu.source': 'file', 'presize.gpu.source.target': 'deaf source', 'error.type': 'timeout' }, 1],
      ]);
    } finally {
      await h.shutdown();
    }
  });

  it('that returns random metric names: dropped-value series stop at maxDroppedFieldSeries, the rest in _overflow, one warning', async () => {
    let read = 0;
    const randomNames = {
      kind: 'file' as const,
      description: 'random names',
      read: (): Promise<GpuSample> => {
        read++;
        const foreign = Array.from(
          { length: 100 },
          (_, i) => `app_metric_${read}_${i}_${Math.random().toString(36).slice(2)} 1`,
        );
        return Promise.resolve(readCapture(`${fixture(SCRAPES.l4)}${foreign.join('\n')}\n`));
      },
    };
    const warnings = captureDiagWarnings();
    const h = harness({ source: randomNames, maxDroppedFieldSeries: 10 });
    try {
      for (let i = 0; i < 50; i++) expect((await h.gpu.scrape()).ok).toBe(true);
      const dropped = points(await h.collect(), 'presize.gpu.dropped_values').filter(
        ([attributes]) => attributes['presize.gpu.drop.reason'] === 'not_dcgm_field',
      );
      expect(dropped).toHaveLength(10);
      const overflow = dropped.filter(([attributes]) => attributes['presize.gpu.field'] === '_overflow');
      expect(overflow).toHaveLength(1);
      expect(overflow[0]![0]['otel.metric.overflow']).toBe(true);
      expect(overflow[0]![1]).toBe(50 * 100 - 9);
      expect(dropped.reduce((sum, [, value]) => sum + (value as number), 0)).toBe(50 * 100);
      expect(warnings.filter((w) => w.includes('maxDroppedFieldSeries'))).toHaveLength(1);
    } finally {
      diag.disable();
      await h.shutdown();
    }
  });

  it('that ignores the abort signal does not hold stop() open', async () => {
    const deaf = {
      kind: 'file' as const,
      description: 'deaf source',
      read: (): Promise<never> => new Promise<never>(() => undefined),
    };
    const h = harness({ source: deaf, intervalMs: 60_000, timeoutMs: 60_000 });
    h.gpu.start();
    const started = Date.now();
    await h.shutdown();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('GpuMetrics with hw.* semantic-convention names', () => {
  let current: Harness | undefined;
  afterEach(async () => current?.shutdown());

  it('maps a T4 scrape to hw.gpu.utilization, memory usage/limit/utilization, hw.power, hw.energy, hw.temperature', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'presize-gpu-'));
    const capture = join(dir, 't4.prom');
    writeFileSync(capture, fixture(SCRAPES.t4));
    current = harness({ source: new FileSource(capture), naming: 'hw' });
    await current.gpu.scrape();
    const collected = await current.collect();
    rmSync(dir, { recursive: true, force: true });
    const gpu = {
      'hw.id': 'GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a',
      'hw.type': 'gpu',
      'hw.name': 'nvidia0',
      'hw.vendor': 'NVIDIA',
      'hw.model': 'Tesla T4',
      'hw.driver_version': '590.48.01',
      'host.name': 'cp-bm14r7',
    };
    const MiB = 1024 * 1024;
    expect(points(collected, 'hw.gpu.utilization')).toEqual([
      [{ ...gpu, 'hw.gpu.task': 'general' }, 0.91],
      [{ ...gpu, 'hw.gpu.task': 'encoder' }, 0],
      [{ ...gpu, 'hw.gpu.task': 'decoder' }, 0],
    ]);
    expect(points(collected, 'hw.gpu.memory.usage')).toEqual([[gpu, 5120 * MiB]]);
    expect(points(collected, 'hw.gpu.memory.limit')).toEqual([[gpu, (5120 + 9791 + 447) * MiB]]);
    expect(points(collected, 'hw.gpu.memory.utilization')).toEqual([[gpu, 5120 / (5120 + 9791 + 447)]]);
    expect(points(collected, 'hw.power')).toEqual([[gpu, 68.244]]);
    expect(points(collected, 'hw.energy')).toEqual([[gpu, 15152422.938]]);
    expect(metric(collected, 'hw.energy')).toMatchObject({ isMonotonic: true, descriptor: { unit: 'J' } });
    expect(points(collected, 'hw.temperature')).toEqual([
      [{ ...gpu, 'hw.sensor_location': 'memory' }, 0],
      [{ ...gpu, 'hw.sensor_location': 'gpu' }, 74],
    ]);
    expect(points(collected, 'hw.errors')).toEqual([[{ ...gpu, 'error.type': 'pcie_replay' }, 0]]);
    expect(points(collected, 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE')).toEqual([[gpu, 0.005822]]);
    const text = await current.prometheusText();
    expect(text).toMatch(
      /^hw_gpu_utilization\{hw_id="GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a",.*hw_gpu_task="general"\} 0\.91$/m,
    );
    expect(text).toMatch(/^hw_energy_total\{/m);
  });
});

describe('the simulated source', () => {
  it("is a deterministic inference node with dcgm-exporter's labels only (the simulated mark is on the resource)", async () => {
    let now = Date.UTC(2026, 0, 15, 14, 0, 0);
    const source = new SimulatedSource({ now: () => now });
    const first = await source.read();
    expect(first.series[0]?.labels).toEqual({
      gpu: '0',
      UUID: 'GPU-00000000-0000-4000-8000-000000000000',
      pci_bus_id: '00000000:41:00.0',
      device: 'nvidia0',
      modelName: 'NVIDIA L40S',
      Hostname: 'simulated-inference-node',
      DCGM_FI_DRIVER_VERSION: '595.58.03',
    });
    expect(gpuResourceAttributes(source)).toEqual({ 'presize.gpu.source': 'simulated', 'presize.gpu.simulated': true });
    const util = (sample: typeof first, gpu: string): number | undefined =>
      sample.series.find((series) => series.field === 'DCGM_FI_DEV_GPU_UTIL' && series.labels['gpu'] === gpu)?.value;
    expect(util(first, '0')).toBe(simulatedUtilization(0, now));
    expect(util(first, '0')).toBeGreaterThanOrEqual(61);
    expect(simulatedUtilization(0, Date.UTC(2026, 0, 15, 2, 0, 0))).toBeLessThanOrEqual(9);
    expect(simulatedUtilization(1, Date.UTC(2026, 0, 15, 14, 0, 0))).toBe(97);
    expect(simulatedUtilization(1, Date.UTC(2026, 0, 15, 14, 10, 0))).toBe(0);
    const reasons = (sample: typeof first, gpu: string): number | undefined =>
      sample.series.find(
        (series) => series.field === 'DCGM_FI_DEV_CLOCKS_EVENT_REASONS' && series.labels['gpu'] === gpu,
      )?.value;
    expect(reasons(first, '1')).toBe(0x4);
    const energy = (sample: typeof first): number | undefined =>
      sample.series.find(
        (series) => series.field === 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION' && series.labels['gpu'] === '1',
      )?.value;
    now += 10_000;
    const second = await source.read();
    expect(energy(second)).toBe((energy(first) as number) + 340_550 * 10);
    expect(second.dropped).toEqual([]);
  });
});

describe('diagnostics', () => {
  it('logs each distinct failure reason once, and a recovery once', async () => {
    const messages: string[] = [];
    const record =
      (level: string) =>
      (...args: unknown[]) =>
        messages.push(`${level}: ${args.join(' ')}`);
    const logger: DiagLogger = {
      error: record('error'),
      warn: record('warn'),
      info: record('info'),
      debug: () => undefined,
      verbose: () => undefined,
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
    const dir = mkdtempSync(join(tmpdir(), 'presize-gpu-'));
    const capture = join(dir, 'capture.prom');
    const h = harness({ source: new FileSource(capture) });
    try {
      for (let i = 0; i < 3; i++) await h.gpu.scrape();
      writeFileSync(capture, 'garbage garbage\n');
      for (let i = 0; i < 3; i++) await h.gpu.scrape();
      writeFileSync(capture, fixture(SCRAPES.t4));
      for (let i = 0; i < 3; i++) await h.gpu.scrape();
      unlinkSync(capture);
      await h.gpu.scrape();
    } finally {
      diag.disable();
      await h.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
    const gpuMessages = messages.filter((message) => message.includes('@presize/instrumentation/gpu'));
    expect(
      gpuMessages.map((message) => message.replace(/:.*$/s, '') + ' ' + (/\((\w+)\)/.exec(message)?.[1] ?? 'back')),
    ).toEqual(['warn read_failed', 'warn unrecognized_format', 'warn recovered', 'warn read_failed']);
  });
});
