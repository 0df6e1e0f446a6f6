import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileSource, GpuMetrics } from '@presize/gpu';
import { DCGM_CLOCK_EVENT_REASONS, FIELD_LABEL, GPU_RISK_RECORDS, REASON_LABEL } from '../definitions/src/index.js';
import { freePort } from '../tools/ports.js';
import { startPrometheus, type PrometheusHandle, type PromSample } from '../tools/prometheus.js';

// The real captures and dcgm-exporter's own dashboard, beside the repository (see PROVENANCE.md).
const FIXTURES = resolve(__dirname, '../../shared/fixtures/gpu');
const T4 = 'dcgm-scrapes/cncf-ericsson__tesla-t4__1gpu__no-help-lines.prom';
const H100X8 = 'dcgm-scrapes/nvidia-aicr__h100-80gb-hbm3__8gpu__k8s-labels__sampled.prom';
const ROOT = resolve(__dirname, '..');
const GPU_RULES = join(ROOT, 'provisioning/prometheus/rules/presize-gpu-risk.yml');

/** A panel of Presize's own GPU dashboard, as generated. */
function presizePanel(title: string): { fieldConfig: { defaults: { unit?: string } }; targets: { expr: string }[] } {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'dashboards/gpu-utilisation.json'), 'utf8')) as {
    panels: { title: string; fieldConfig: { defaults: { unit?: string } }; targets: { expr: string }[] }[];
  };
  const panel = dashboard.panels.find((p) => p.title === title);
  if (!panel) throw new Error(`no panel "${title}" on the GPU dashboard`);
  return panel;
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

function dashboardExpressions(): { title: string; expr: string }[] {
  const dashboard = JSON.parse(
    readFileSync(join(FIXTURES, 'dcgm-exporter-upstream/dcgm-exporter-dashboard.json'), 'utf8'),
  ) as { panels: Panel[] };
  const found: { title: string; expr: string }[] = [];
  const walk = (panel: Panel): void => {
    for (const target of panel.targets ?? [])
      if (target.expr) found.push({ title: panel.title ?? '', expr: target.expr });
    for (const child of panel.panels ?? []) walk(child);
  };
  dashboard.panels.forEach(walk);
  return found;
}

const byGpu = (samples: PromSample[]): Record<string, number> =>
  Object.fromEntries(samples.map((sample) => [`${sample.metric['Hostname']}/${sample.metric['gpu']}`, sample.value]));

describe("dcgm-exporter's official Grafana dashboard on what Presize exports", () => {
  let dir: string;
  let t4Capture: string;
  let provider: MeterProvider;
  let exporter: PrometheusExporter;
  let gpus: GpuMetrics[];
  let prometheus: PrometheusHandle;
  let instance: string;

  beforeAll(async () => {
    if (!existsSync(join(FIXTURES, 'PROVENANCE.md')))
      throw new Error(`GPU fixtures not found at ${FIXTURES} (../shared/fixtures/gpu beside the repository)`);
    dir = mkdtempSync(join(tmpdir(), 'presize-gpu-dashboard-'));
    t4Capture = join(dir, 't4.prom');
    copyFileSync(join(FIXTURES, T4), t4Capture);
    const sources = [new FileSource(t4Capture), new FileSource(join(FIXTURES, H100X8))];
    let producers: GpuMetrics[] = [];
    const port = await freePort();
    exporter = new PrometheusExporter({
      host: '127.0.0.1',
      port,
      preventServerStart: true,
      metricProducers: sources.map((_, index) => ({ collect: () => (producers[index] as GpuMetrics).collect() })),
    });
    provider = new MeterProvider({ readers: [exporter] });
    producers = sources.map((source) => new GpuMetrics({ source, meterProvider: provider, intervalMs: 500 }));
    gpus = producers;
    await exporter.startServer();
    for (const gpu of gpus) expect((await gpu.scrape()).ok).toBe(true);
    instance = `127.0.0.1:${port}`;
    prometheus = await startPrometheus({
      scrape: [{ job: 'presize', target: instance }],
      ruleFiles: [GPU_RULES],
      evaluationIntervalSeconds: 1,
    });
    await prometheus.waitFor('DCGM_FI_DEV_GPU_TEMP', (result) => result.length === 9, 30_000);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    for (const gpu of gpus ?? []) await gpu.stop();
    await provider?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('answers the template variables: instance and gpu', async () => {
    // label_values(DCGM_FI_DEV_GPU_TEMP, instance|gpu) are Grafana's; this is their PromQL.
    const instances = await prometheus.query('group by (instance) (DCGM_FI_DEV_GPU_TEMP)');
    expect(instances.map((sample) => sample.metric['instance'])).toEqual([instance]);
    const gpuIds = await prometheus.query('group by (gpu) (DCGM_FI_DEV_GPU_TEMP)');
    expect(gpuIds.map((sample) => sample.metric['gpu']).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });

  it('runs every panel expression of the dashboard unchanged, with the values of the captures', async () => {
    const expressions = dashboardExpressions();
    expect(expressions.map((e) => e.title)).toEqual([
      'GPU Temperature',
      'GPU Avg. Temp',
      'GPU Power Usage',
      'GPU Power Total',
      'GPU SM Clocks',
      'GPU Utilization',
      'GPU Framebuffer Mem Used',
      'Tensor Core Utilization',
    ]);
    const results: Record<string, PromSample[]> = {};
    for (const { title, expr } of expressions) {
      // What Grafana sends with "All" selected in both multi-value variables.
      const query = expr
        .replaceAll('$instance', `(${instance.replaceAll('.', '\\\\.')})`)
        .replaceAll('$gpu', '(0|1|2|3|4|5|6|7)');
      results[title] = await prometheus.query(query);
      expect(results[title]?.length).toBeGreaterThan(0);
    }
    const h100Temps = [30, 29, 26, 29, 28, 26, 28, 26];
    const h100Power = [113.611, 68.347, 65.709, 67.316, 68.717, 65.742, 67.328, 66.997];
    expect(byGpu(results['GPU Temperature'] ?? [])).toEqual({
      'cp-bm14r7/0': 74,
      ...Object.fromEntries(h100Temps.map((temp, gpu) => [`gpu-node-1/${gpu}`, temp])),
    });
    expect(results['GPU Avg. Temp']?.[0]?.value).toBeCloseTo((74 + h100Temps.reduce((a, b) => a + b)) / 9, 9);
    expect(byGpu(results['GPU Power Usage'] ?? [])['cp-bm14r7/0']).toBe(68.244);
    expect(byGpu(results['GPU Power Usage'] ?? [])['gpu-node-1/0']).toBe(113.611);
    expect(results['GPU Power Total']?.[0]?.value).toBeCloseTo(68.244 + h100Power.reduce((a, b) => a + b), 6);
    expect(byGpu(results['GPU SM Clocks'] ?? [])).toEqual({ 'cp-bm14r7/0': 660_000_000 });
    expect(byGpu(results['GPU Utilization'] ?? [])['cp-bm14r7/0']).toBe(91);
    expect(results['GPU Utilization']).toHaveLength(9);
    expect(byGpu(results['GPU Framebuffer Mem Used'] ?? [])).toEqual({ 'cp-bm14r7/0': 5120 });
    expect(byGpu(results['Tensor Core Utilization'] ?? [])).toEqual({ 'cp-bm14r7/0': 0.005822 });
  });

  it("shows Presize's SM clock panel in hertz: the captures' MHz times 10^6", async () => {
    const panel = presizePanel('SM clock');
    expect(panel.fieldConfig.defaults.unit).toBe('hertz');
    const query = panel.targets[0]!.expr.replaceAll('$job', '.*')
      .replaceAll('$node', '.*')
      .replaceAll('$gpu', '.*')
      .replaceAll('$top', '20');
    // dcgm-exporter's own panel reads the same: the T4 at 660 MHz (the H100 capture has no clocks).
    expect(byGpu(await prometheus.query(query))).toEqual({ 'cp-bm14r7/0': 660_000_000 });
  });

  it('scores no throttling where the clock event field is not collected, and names the missing field', async () => {
    // Neither capture has DCGM_FI_DEV_CLOCKS_EVENT_REASONS: dcgm-exporter's default counters lack it.
    const notCollected = await prometheus.waitFor(GPU_RISK_RECORDS.factorNotCollected, (r) => r.length === 9, 30_000);
    for (const sample of notCollected) {
      expect([sample.metric[REASON_LABEL], sample.metric[FIELD_LABEL], sample.value]).toEqual([
        'throttling',
        DCGM_CLOCK_EVENT_REASONS,
        1,
      ]);
    }
    const scores = await prometheus.waitFor(GPU_RISK_RECORDS.score, (r) => r.length === 9, 30_000);
    expect(scores).toHaveLength(9);
    // A factor has a score only where its input is: neither capture exports XID errors, only the T4
    // its framebuffer. Each factor's group records on its own schedule: wait for all of them.
    const byReason = (r: PromSample[]) => Object.fromEntries(r.map((f) => [f.metric[REASON_LABEL], f.value]));
    const expected = { down: 9, framebuffer: 1, utilisation_band: 9 };
    const factors = await prometheus.waitFor(
      `count by (${REASON_LABEL}) (${GPU_RISK_RECORDS.factorScore})`,
      (r) => Object.entries(expected).every(([reason, count]) => byReason(r)[reason] === count),
      30_000,
    );
    expect(byReason(factors)).toEqual(expected);
    expect(await prometheus.query(`${GPU_RISK_RECORDS.factorScore}{${REASON_LABEL}="throttling"}`)).toEqual([]);
    const panel = presizePanel('Clock event reasons (bitmask)');
    const query = panel.targets[0]!.expr.replaceAll('$job', '.*')
      .replaceAll('$node', '.*')
      .replaceAll('$gpu', '.*')
      .replaceAll('$top', '20');
    expect(await prometheus.query(query)).toEqual([]);
  }, 45_000);

  it('keeps dcgm-exporter counters under their exact names, and the pod labels', async () => {
    const energy = await prometheus.query('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION');
    expect(energy.map((sample) => sample.value)).toEqual([15152422938]);
    expect(await prometheus.query('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total')).toEqual([]);
    const rate = await prometheus.waitFor(
      'rate(DCGM_FI_DEV_PCIE_REPLAY_COUNTER[1m])',
      (samples) => samples.length === 1,
      20_000,
    );
    expect(rate[0]?.value).toBe(0);
    const pod = await prometheus.query('DCGM_FI_DEV_POWER_USAGE{pod!=""}');
    expect(
      pod.map((sample) => [sample.metric['pod'], sample.metric['namespace'], sample.metric['container'], sample.value]),
    ).toEqual([['vllm-agg-0-vllmdecodeworker-s65j5', 'dynamo-workload', 'main', 113.611]]);
  }, 30_000);

  it("makes a failed source's series go stale in Prometheus rather than freeze, while presize_gpu_up says why", async () => {
    unlinkSync(t4Capture);
    const result = await gpus[0]?.scrape();
    expect(result).toMatchObject({ ok: false, reason: 'read_failed' });
    await prometheus.waitFor('DCGM_FI_DEV_GPU_TEMP', (samples) => samples.length === 8, 20_000);
    expect(await prometheus.query('DCGM_FI_DEV_GPU_TEMP{Hostname="cp-bm14r7"}')).toEqual([]);
    const up = await prometheus.waitFor('presize_gpu_up == 0', (samples) => samples.length === 1, 20_000);
    expect(up[0]?.metric['presize_gpu_source_target']).toBe(t4Capture);
    const errors = await prometheus.query('presize_gpu_scrape_errors_total');
    expect(errors.map((sample) => [sample.metric['error_type'], sample.value])).toEqual([['read_failed', 1]]);
  }, 45_000);
});
