import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DCGM_CLOCK_EVENT_REASONS,
  DCGM_CLOCK_THROTTLE_REASONS,
  DCGM_FB_FREE,
  DCGM_FB_USED,
  DCGM_GPU_TEMP,
  DCGM_GPU_UTIL,
  DCGM_MEM_COPY_UTIL,
  DCGM_POWER_USAGE,
  DCGM_SM_CLOCK,
  DCGM_XID_ERRORS,
  GPU_RISK_FACTORS,
  GPU_RISK_RECORDS,
  GPU_RISK_THRESHOLDS,
} from '../../src/index.js';
import { factorDescription, labelVariable, newDashboard, query, riskThresholds, thresholds, timeSeries } from './common.js';

const MATCH = 'job=~"$job", instance=~"$node", gpu=~"$gpu"';
const sel = (metric: string) => `${metric}{${MATCH}}`;
const LEGEND = '{{Hostname}}{{hostname}} GPU {{gpu}}';
const ts = timeSeries;

export function gpuDashboard(): dashboard.Dashboard {
  const band = GPU_RISK_THRESHOLDS.utilisationBand;
  const fb = GPU_RISK_THRESHOLDS.framebuffer;
  const throttling = GPU_RISK_FACTORS.find((f) => f.reason === 'throttling')!;
  const xid = GPU_RISK_FACTORS.find((f) => f.reason === 'xid')!;
  return newDashboard('presize-gpu-utilisation', 'Presize / GPU utilisation', 'DCGM fields per GPU and node, against the utilisation band and the GPU risk thresholds.')
    .withVariable(labelVariable('job', 'job', DCGM_GPU_UTIL, 'Exporter'))
    .withVariable(labelVariable('node', 'instance', `${DCGM_GPU_UTIL}{job=~"$job"}`, 'Node'))
    .withVariable(labelVariable('gpu', 'gpu', `${DCGM_GPU_UTIL}{job=~"$job", instance=~"$node"}`, 'GPU'))
    .withPanel(
      ts(`Utilisation (band ${band.low}–${band.high} %)`, 'percent')
        .min(0)
        .max(100)
        .thresholds(thresholds([
          { value: null, color: 'orange' },
          { value: band.low, color: 'green' },
          { value: band.high, color: 'orange' },
        ]))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.LineAndArea))
        .withTarget(query(sel(DCGM_GPU_UTIL), LEGEND)),
    )
    .withPanel(
      ts('Risk score', 'none')
        .min(0)
        .max(100)
        .thresholds(riskThresholds())
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Area))
        .withTarget(query(`${GPU_RISK_RECORDS.score}{${MATCH}}`, LEGEND)),
    )
    .withPanel(
      ts('Framebuffer used', 'percentunit')
        .min(0)
        .max(1)
        .thresholds(thresholds([
          { value: null, color: 'green' },
          { value: fb.warn, color: 'orange' },
          { value: fb.critical, color: 'red' },
        ]))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line))
        .withTarget(query(`${sel(DCGM_FB_USED)} / (${sel(DCGM_FB_USED)} + ${sel(DCGM_FB_FREE)})`, LEGEND)),
    )
    .withPanel(ts('Memory copy utilisation', 'percent').min(0).max(100).withTarget(query(sel(DCGM_MEM_COPY_UTIL), LEGEND)))
    .withPanel(ts('Power', 'watt').withTarget(query(sel(DCGM_POWER_USAGE), LEGEND)))
    .withPanel(ts('Temperature', 'celsius').withTarget(query(sel(DCGM_GPU_TEMP), LEGEND)))
    .withPanel(ts('SM clock', 'rothz').withTarget(query(sel(DCGM_SM_CLOCK), LEGEND)))
    .withPanel(
      ts('Clock event reasons (bitmask)', 'none')
        .description(factorDescription(throttling))
        .withTarget(query(`${sel(DCGM_CLOCK_EVENT_REASONS)} or ${sel(DCGM_CLOCK_THROTTLE_REASONS)}`, LEGEND)),
    )
    .withPanel(
      ts('Last XID error', 'none')
        .description(factorDescription(xid))
        .drawStyle(common.GraphDrawStyle.Points)
        .withTarget(query(`${sel(DCGM_XID_ERRORS)} > 0`, LEGEND)),
    )
    .withPanel(
      ts('Exporter up', 'none')
        .min(0)
        .max(1)
        .withTarget(query('up{job=~"$job", instance=~"$node"}', '{{instance}}')),
    )
    .build();
}
