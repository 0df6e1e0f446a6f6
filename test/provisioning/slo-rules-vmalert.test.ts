// The generated SLO rules as vmalert runs them against VictoriaMetrics: vmalert reads its recorded
// 5-minute series back from the store, so every longer window, built from them, must come out
// there too, equal to the 5-minute ratio on a steady input.
import { join, resolve } from 'node:path';
import {
  DCGM_GPU_UTIL,
  GPU_RISK_THRESHOLDS,
  JOBS,
  PROM_MAP_EVACUATION_STALL,
  SLI_WINDOWS,
  SLO_PERIOD_WINDOW,
  SLO_TARGETS,
  num,
  sloId,
} from '../../definitions/src/index';
import { startVictoriaMetrics, type VictoriaMetricsHandle } from '../../tools/victoria-metrics';

const RULES = resolve(__dirname, '../../provisioning/prometheus/rules');
const STEP_SECONDS = 15;
const MINUTES = 20;
const band = GPU_RISK_THRESHOLDS.utilisationBand;
/** Two GPUs, one in the band and one below it: half of the GPU-minutes out of band. */
const GPU_ERROR_RATIO = 0.5;
/** Map writes per step, and how many of them pay more than the threshold. */
const WRITES = 200;
const SLOW_WRITES = 3;

function fleetText(endSeconds: number): string {
  const lines: string[] = [];
  const steps = (MINUTES * 60) / STEP_SECONDS;
  for (let i = 0; i <= steps; i++) {
    const at = endSeconds - (steps - i) * STEP_SECONDS;
    const gpu = (index: number, value: number) =>
      `${DCGM_GPU_UTIL}{job="${JOBS.gpuExporter}",instance="gpu-node-1:9400",gpu="${index}"} ${value} ${at}`;
    const stall = (suffix: string, extra: string, value: number) =>
      `${PROM_MAP_EVACUATION_STALL}_${suffix}{job="${JOBS.demo}-presized",presize_map_name="devices"${extra}} ${value} ${at}`;
    lines.push(
      gpu(0, (band.low + band.high) / 2),
      gpu(1, band.low - 35),
      stall('count', '', i * WRITES),
      stall('bucket', `,le="${num(SLO_TARGETS.mapWriteLatency.thresholdSeconds)}"`, i * (WRITES - SLOW_WRITES)),
    );
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

describe('SLO rules in vmalert', () => {
  let vm: VictoriaMetricsHandle;

  beforeAll(async () => {
    vm = await startVictoriaMetrics({
      ruleFiles: ['slo-gpu-fleet.yml', 'slo-device-logs.yml'].map((file) => join(RULES, file)),
      evaluationIntervalSeconds: 2,
    });
    await vm.importOpenMetrics(fleetText(Math.floor(Date.now() / 1000)));
  }, 60_000);

  afterAll(async () => {
    await vm?.stop();
  }, 60_000);

  it.each([
    [sloId('gpu-fleet', 'utilisation-in-band'), GPU_ERROR_RATIO],
    [sloId('device-logs', 'map-write-latency-p99'), SLOW_WRITES / WRITES],
  ])('records %s for every window from its 5-minute records', async (id, ratio) => {
    // Base records, the 5-minute ratio from them, then the longer windows: a few evaluations.
    await vm.evaluations(4, 60_000);
    const windows = [...SLI_WINDOWS, SLO_PERIOD_WINDOW];
    const recorded = await vm.waitFor(
      `{__name__=~"slo:sli_error:ratio_rate.+", sloth_id="${id}"}`,
      (result) => result.length === windows.length,
      30_000,
    );
    const byWindow = Object.fromEntries(recorded.map((s) => [s.metric.sloth_window, s.value]));
    expect(Object.keys(byWindow).sort()).toEqual([...windows].sort());
    for (const window of windows) expect({ window, ratio: byWindow[window]! }).toEqual({ window, ratio: expect.closeTo(ratio, 9) });
  }, 120_000);
});
