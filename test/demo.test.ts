// The demo's path end to end: the device-log service, instrumented only by
// `--import @presize/auto-instrumentation/register`, scraped by a real Prometheus; what Prometheus holds
// must carry the documented names and labels and agree with the service's own stats().
import { freePort } from '../tools/ports.js';
import { startPrometheus, type PrometheusHandle, type PromSample } from '../tools/prometheus.js';
import { deviceId } from '../scripts/demo/load.js';
import { startService, type DeviceLogsStats, type RunningService } from '../scripts/demo/service.js';

const CACHE = 'presized-5000';
const JOB = `device-logs-${CACHE}`;
// Past the doublings at 6,657 and 13,313 keys (B 10 → 12) and far enough past the second for its
// incremental evacuation (2,048 old buckets, up to two per insert) to finish.
const DEVICES = 24_000;
const BATCH = 1_000;

async function postBatch(service: RunningService, events: Array<{ deviceId: string; log: string }>): Promise<void> {
  const response = await fetch(`${service.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(200);
}

function only(result: PromSample[]): PromSample {
  expect(result).toHaveLength(1);
  return result[0] as PromSample;
}

describe('demo: the instrumented device-log service through a real Prometheus', () => {
  let prometheus: PrometheusHandle;
  let service: RunningService;
  let stats: DeviceLogsStats;
  const selector = `job="${JOB}"`;

  beforeAll(async () => {
    const metricsPort = await freePort();
    prometheus = await startPrometheus({
      scrape: [{ job: JOB, target: `127.0.0.1:${metricsPort}`, intervalSeconds: 1 }],
    });
    service = await startService({ cache: CACHE, port: await freePort(), metricsPort });
    await prometheus.waitFor(`up{${selector}}`, (result) => result[0]?.value === 1, 30_000);

    for (let first = 0; first < DEVICES; first += BATCH) {
      const events = Array.from({ length: Math.min(BATCH, DEVICES - first) }, (_, i) => ({
        deviceId: deviceId(first + i),
        log: `boot seq=${first + i}`,
      }));
      await postBatch(service, events);
    }
    // A second round of writes to devices already known: their lists fill, the map keeps its keys.
    await postBatch(
      service,
      Array.from({ length: BATCH }, (_, i) => ({ deviceId: deviceId(i), log: `again ${i}` })),
    );
    stats = await service.stats();
    // Prometheus has caught up once a scrape taken after the last write has the final entry count.
    await prometheus.waitFor(`presize_map_entries{${selector}}`, (result) => result[0]?.value === stats.size, 20_000);
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    await prometheus?.stop();
  }, 60_000);

  it('is in the state the scenario leads to: two doublings, both finished', () => {
    expect(stats.size).toBe(DEVICES);
    expect(stats.map).toMatchObject({
      hint: 5_000,
      B: 12,
      buckets: 4_096,
      growths: 2,
      sameSizeGrowths: 0,
      growing: false,
    });
  });

  it('has the growth counter under its documented name and labels, equal to stats().growths', async () => {
    const sample = only(await prometheus.query(`presize_map_growths_total{${selector}}`));
    expect(sample.metric).toMatchObject({
      __name__: 'presize_map_growths_total',
      job: JOB,
      presize_map_name: 'device-logs',
      presize_map_growth_kind: 'double',
      presize_map_growth_trigger: 'load_factor',
    });
    expect(sample.value).toBe(stats.map?.growths);
  });

  it('counts every old bucket evacuated: 1,024 + 2,048 for the two finished doublings', async () => {
    const sample = only(await prometheus.query(`presize_map_evacuated_buckets_total{${selector}}`));
    expect(sample.metric).toMatchObject({ job: JOB, presize_map_name: 'device-logs' });
    const B = Number(stats.map?.B);
    const oldBuckets = Array.from({ length: Number(stats.map?.growths) }, (_, i) => 2 ** (B - 1 - i));
    expect(sample.value).toBe(oldBuckets.reduce((sum, buckets) => sum + buckets, 0));
    expect(sample.value).toBe(3_072);
  });

  it('has the per-map gauges equal to stats()', async () => {
    const gauges: Array<[string, number]> = [
      ['presize_map_entries', stats.size],
      ['presize_map_buckets', Number(stats.map?.buckets)],
      ['presize_map_hint', Number(stats.map?.hint)],
      ['presize_map_growing', 0],
      ['presize_map_next_growth_at', Number(stats.map?.nextGrowthAt)],
    ];
    for (const [name, expected] of gauges) {
      const sample = only(await prometheus.query(`${name}{${selector}}`));
      expect({ name, labels: sample.metric, value: sample.value }).toEqual({
        name,
        labels: expect.objectContaining({ __name__: name, job: JOB, presize_map_name: 'device-logs' }),
        value: expected,
      });
    }
  });

  it('has one growth duration per finished growth and the stalls writes paid evacuating', async () => {
    const durations = only(await prometheus.query(`sum(presize_map_growth_duration_count{${selector}})`));
    expect(durations.value).toBe(stats.map?.growths);
    const stalls = only(await prometheus.query(`sum(presize_map_evacuation_stall_count{${selector}})`));
    expect(stalls.value).toBeGreaterThanOrEqual(1_024 / 2);
    const buckets = await prometheus.query(`presize_map_evacuation_stall_bucket{${selector}}`);
    expect(buckets.length).toBeGreaterThan(1);
    expect(buckets.every((sample) => sample.metric.le !== undefined)).toBe(true);
  });

  it('has the simulated GPU metrics under their DCGM names and labels', async () => {
    const utilisation = await prometheus.waitFor(
      `DCGM_FI_DEV_GPU_UTIL{${selector}}`,
      (result) => result.length > 0,
      20_000,
    );
    for (const sample of utilisation) {
      expect(sample.metric).toMatchObject({
        gpu: expect.stringMatching(/^\d+$/),
        UUID: expect.stringMatching(/^GPU-/),
        modelName: expect.any(String),
      });
      expect(sample.metric.Hostname ?? sample.metric.hostname).toEqual(expect.any(String));
      expect(sample.value).toBeGreaterThanOrEqual(0);
      expect(sample.value).toBeLessThanOrEqual(100);
    }
    for (const field of ['DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_GPU_TEMP']) {
      const samples = await prometheus.query(`${field}{${selector}}`);
      expect({ field, series: samples.length }).toEqual({ field, series: utilisation.length });
    }
  }, 30_000);

  it('has the runtime health beside it: GC pauses and event-loop delay', async () => {
    expect((await prometheus.query(`sum(v8js_gc_duration_count{${selector}})`))[0]?.value).toBeGreaterThan(0);
    expect(await prometheus.query(`nodejs_eventloop_delay_max{${selector}}`)).toHaveLength(1);
  });
});
