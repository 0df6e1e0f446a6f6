import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DCGM_FIELD_NAMES,
  FIELD_LABEL,
  GPU_RISK_FACTORS,
  GPU_RISK_RECORDS,
  GPU_RISK_THRESHOLDS,
  REASON_LABEL,
} from '../../src/index.js';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { DCGM_COUNTERS_FILE } from '../dcgm-counters.js';
import {
  PROMETHEUS,
  factorDescription,
  forTheSame,
  highest,
  instant,
  labelVariable,
  lowest,
  newDashboard,
  query,
  riskThresholds,
  thresholds,
  timeSeries,
  topVariable,
} from './common.js';

export const GPU_DASHBOARD_UID = 'presize-gpu-utilisation';
/** Panel ids: stable, so that links and alert rules can name a panel. A retired id is not reused. */
export const GPU_PANELS = {
  utilisation: 1,
  riskScore: 2,
  framebuffer: 3,
  memoryCopy: 4,
  power: 5,
  temperature: 6,
  smClock: 7,
  clockEvents: 8,
  xid: 9,
  exporterUp: 10,
  notCollected: 11,
} as const;

/** dcgm-exporter reports clocks in MHz; Grafana's `hertz` unit scales from Hz. */
const MHZ = 1_000_000;

const MATCH = 'job=~"$job", instance=~"$node", gpu=~"$gpu"';
const sel = (metric: string) => `${metric}{${MATCH}}`;
const LEGEND = '{{Hostname}}{{hostname}} GPU {{gpu}}';
const ts = timeSeries;
/** The labels that tell one GPU's series from another's. */
const GPU_KEY = 'job, instance, gpu';

export function gpuDashboard(): dashboard.Dashboard {
  const band = GPU_RISK_THRESHOLDS.utilisationBand;
  const fb = GPU_RISK_THRESHOLDS.framebuffer;
  const throttling = GPU_RISK_FACTORS.find((f) => f.reason === 'throttling')!;
  const xid = GPU_RISK_FACTORS.find((f) => f.reason === 'xid')!;
  const notCollected = `${GPU_RISK_RECORDS.factorNotCollected}{${MATCH}}`;
  return newDashboard(GPU_DASHBOARD_UID, 'Presize / GPU utilisation', 'DCGM fields per GPU and node, against the utilisation band and the GPU risk thresholds.')
    .withVariable(labelVariable('job', 'job', DCGM_FIELD_NAMES.gpuUtil, 'Exporter'))
    .withVariable(labelVariable('node', 'instance', `${DCGM_FIELD_NAMES.gpuUtil}{job=~"$job"}`, 'Node'))
    .withVariable(labelVariable('gpu', 'gpu', `${DCGM_FIELD_NAMES.gpuUtil}{job=~"$job", instance=~"$node"}`, 'GPU'))
    .withVariable(topVariable('GPUs'))
    .withPanel(
      ts(`Utilisation (band ${band.low}–${band.high} %)`, 'percent')
        .id(GPU_PANELS.utilisation)
        .min(0)
        .max(100)
        .thresholds(thresholds([
          { value: null, color: 'orange' },
          { value: band.low, color: 'green' },
          { value: band.high, color: 'orange' },
        ]))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.LineAndArea))
        .withTarget(query(forTheSame(sel(DCGM_FIELD_NAMES.gpuUtil), GPU_KEY, highest(`abs(${sel(DCGM_FIELD_NAMES.gpuUtil)} - ${(band.low + band.high) / 2})`)), LEGEND)),
    )
    .withPanel(
      ts('Risk score', 'none')
        .id(GPU_PANELS.riskScore)
        .min(0)
        .max(100)
        .thresholds(riskThresholds())
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Area))
        .withTarget(query(highest(`${GPU_RISK_RECORDS.score}{${MATCH}}`), LEGEND)),
    )
    .withPanel(
      ts('Framebuffer used', 'percentunit')
        .id(GPU_PANELS.framebuffer)
        .min(0)
        .max(1)
        .thresholds(thresholds([
          { value: null, color: 'green' },
          { value: fb.warn, color: 'orange' },
          { value: fb.critical, color: 'red' },
        ]))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line))
        .withTarget(query(highest(`${sel(DCGM_FIELD_NAMES.fbUsed)} / (${sel(DCGM_FIELD_NAMES.fbUsed)} + ${sel(DCGM_FIELD_NAMES.fbFree)})`), LEGEND)),
    )
    .withPanel(ts('Memory copy utilisation', 'percent').id(GPU_PANELS.memoryCopy).min(0).max(100).withTarget(query(highest(sel(DCGM_FIELD_NAMES.memCopyUtil)), LEGEND)))
    .withPanel(ts('Power', 'watt').id(GPU_PANELS.power).withTarget(query(highest(sel(DCGM_FIELD_NAMES.powerUsage)), LEGEND)))
    .withPanel(ts('Temperature', 'celsius').id(GPU_PANELS.temperature).withTarget(query(highest(sel(DCGM_FIELD_NAMES.gpuTemp)), LEGEND)))
    .withPanel(ts('SM clock', 'hertz').id(GPU_PANELS.smClock).withTarget(query(lowest(`${sel(DCGM_FIELD_NAMES.smClock)} * ${MHZ}`), LEGEND)))
    .withPanel(
      ts('Clock event reasons (bitmask)', 'none')
        .id(GPU_PANELS.clockEvents)
        .description(
          `${factorDescription(throttling)} dcgm-exporter's default counters do not collect ${DCGM_FIELD_NAMES.clockEventReasons}: ` +
            `add it with ${DCGM_COUNTERS_FILE}.`,
        )
        .noValue(`Not collected: add ${DCGM_FIELD_NAMES.clockEventReasons} to dcgm-exporter's counters (${DCGM_COUNTERS_FILE})`)
        .withTarget(query(highest(`${sel(DCGM_FIELD_NAMES.clockEventReasons)} or ${sel(DCGM_FIELD_NAMES.clockThrottleReasons)}`), LEGEND)),
    )
    .withPanel(
      new table.PanelBuilder()
        .id(GPU_PANELS.notCollected)
        .title('Fields not collected')
        .description(
          `GPUs whose exporter does not collect a field a risk factor reads: that factor has no score for them (not 0). ` +
            `Run dcgm-exporter with ${DCGM_COUNTERS_FILE}.`,
        )
        .datasource(PROMETHEUS)
        .height(6)
        .span(12)
        .noValue('Every field is collected')
        .withTarget(instant(`max by (instance, Hostname, hostname, gpu, ${REASON_LABEL}, ${FIELD_LABEL}) (${notCollected})`))
        .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true } } }),
    )
    .withPanel(
      ts('Last XID error', 'none')
        .id(GPU_PANELS.xid)
        .description(factorDescription(xid))
        .drawStyle(common.GraphDrawStyle.Points)
        .withTarget(query(highest(`${sel(DCGM_FIELD_NAMES.xidErrors)} > 0`), LEGEND)),
    )
    .withPanel(
      ts('Exporter up', 'none')
        .id(GPU_PANELS.exporterUp)
        .min(0)
        .max(1)
        .withTarget(query(lowest('up{job=~"$job", instance=~"$node"}'), '{{instance}}')),
    )
    .build();
}
