import {
  DCGM_CLOCK_EVENT_REASONS,
  DCGM_GPU_UTIL,
  FIELD_LABEL,
  GPU_RISK_RECORDS,
  LRU_RISK_RECORDS,
  MAP_RISK_RECORDS,
  PROM_LRU_ENTRIES,
  PROM_MAP_ENTRIES,
  REASON_LABEL,
  RISK_LEVEL_VALUES,
  TELEMETRY_CAUSE_LABEL,
  type RuleFile,
} from '../src/index.js';
import { alertTests, alertsOf, expAlert } from './alert-tests.js';
import { GPU_LABELS, MAP_LABELS } from './risk-scenarios.js';
import { EVAL_TIME, SAMPLES, constant, seriesName, type InputSeries } from './series.js';

const LRU = { job: 'catalogue', instance: '10.0.0.9:9464', presize_lru_name: 'pages' };
const MAP_SCORE = { job: MAP_LABELS.job, presize_map_name: MAP_LABELS.presize_map_name };
const LRU_SCORE = { job: LRU.job, presize_lru_name: LRU.presize_lru_name };

/** A series that reports for the first `minutes` minutes, then never again. */
function stopsAfter(metric: string, labels: Record<string, string>, value: number, minutes: number): InputSeries {
  return { series: seriesName(metric, labels), values: `${value}x${minutes - 1} _x${SAMPLES - minutes - 1}` };
}

/** Services that report and are scored, that stop reporting, and whose risk is not recorded. */
export function telemetryTests(file: RuleFile) {
  const [rule] = alertsOf(file);
  if (!rule) throw new Error('the telemetry rule file has no alert');
  const scenario = (name: string, series: InputSeries[], firing: Record<string, string>[]) => ({
    name: `telemetry: ${name}`,
    interval: '1m',
    input_series: series,
    alert_rule_test: [{ eval_time: EVAL_TIME, alertname: rule.alert, exp_alerts: firing.map((labels) => expAlert(rule, labels)) }],
  });
  const mapReporting = [constant(PROM_MAP_ENTRIES, MAP_LABELS, 5000), constant(MAP_RISK_RECORDS.score, MAP_SCORE, 0)];
  const lruReporting = [constant(PROM_LRU_ENTRIES, LRU, 300), constant(LRU_RISK_RECORDS.score, LRU_SCORE, 0)];
  return [
    scenario('services reporting, with their risk recorded', [...mapReporting, ...lruReporting], []),
    scenario(
      'a service that stopped reporting 30 minutes ago',
      [
        stopsAfter(PROM_MAP_ENTRIES, MAP_LABELS, 5000, 80),
        stopsAfter(MAP_RISK_RECORDS.score, MAP_SCORE, 0, 80),
        ...lruReporting,
      ],
      [{ job: MAP_LABELS.job, [TELEMETRY_CAUSE_LABEL]: 'stopped_reporting' }],
    ),
    scenario(
      'services reporting without recorded risk',
      [constant(PROM_MAP_ENTRIES, MAP_LABELS, 5000), constant(PROM_LRU_ENTRIES, LRU, 300)],
      [
        { job: MAP_LABELS.job, [TELEMETRY_CAUSE_LABEL]: 'risk_not_recorded' },
        { job: LRU.job, [TELEMETRY_CAUSE_LABEL]: 'risk_not_recorded' },
      ],
    ),
  ];
}

/**
 * A GPU behind dcgm-exporter's default counters has no clock event field: its throttling factor
 * has no score (not 0), the not-collected series names the field, and its other factors still count.
 */
export function notCollectedTests(file: RuleFile) {
  const exporter = { job: GPU_LABELS.job, instance: GPU_LABELS.instance };
  const base = [constant('up', exporter, 1), constant(DCGM_GPU_UTIL, GPU_LABELS, 65)];
  const throttling = `${GPU_RISK_RECORDS.factorScore}{${REASON_LABEL}="throttling"}`;
  const notCollected = { ...GPU_LABELS, [REASON_LABEL]: 'throttling', [FIELD_LABEL]: DCGM_CLOCK_EVENT_REASONS };
  const level = { labels: seriesName(GPU_RISK_RECORDS.level, GPU_LABELS), value: RISK_LEVEL_VALUES.ok };
  return [
    {
      name: 'gpu throttling not collected (default dcgm-exporter counters)',
      interval: '1m',
      input_series: base,
      alert_rule_test: alertTests(file, () => null),
      promql_expr_test: [
        { expr: throttling, eval_time: EVAL_TIME, exp_samples: [] },
        {
          expr: GPU_RISK_RECORDS.factorNotCollected,
          eval_time: EVAL_TIME,
          exp_samples: [{ labels: seriesName(GPU_RISK_RECORDS.factorNotCollected, notCollected), value: 1 }],
        },
        { expr: GPU_RISK_RECORDS.level, eval_time: EVAL_TIME, exp_samples: [level] },
      ],
    },
    {
      name: 'gpu throttling collected, no reason set',
      interval: '1m',
      input_series: [...base, constant(DCGM_CLOCK_EVENT_REASONS, GPU_LABELS, 0)],
      alert_rule_test: alertTests(file, () => null),
      promql_expr_test: [
        { expr: throttling, eval_time: EVAL_TIME, exp_samples: [{ labels: seriesName(GPU_RISK_RECORDS.factorScore, { ...GPU_LABELS, [REASON_LABEL]: 'throttling' }), value: 0 }] },
        { expr: GPU_RISK_RECORDS.factorNotCollected, eval_time: EVAL_TIME, exp_samples: [] },
        { expr: GPU_RISK_RECORDS.level, eval_time: EVAL_TIME, exp_samples: [level] },
      ],
    },
  ];
}
