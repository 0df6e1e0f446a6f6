import {
  LRU_RISK_RECORDS,
  MAP_RISK_RECORDS,
  PROM_LRU_ENTRIES,
  PROM_MAP_ENTRIES,
  TELEMETRY_CAUSE_LABEL,
  type RuleFile,
} from '../src/index.js';
import { alertsOf, expAlert } from './alert-tests.js';
import { MAP_LABELS } from './risk-scenarios.js';
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
    alert_rule_test: [
      { eval_time: EVAL_TIME, alertname: rule.alert, exp_alerts: firing.map((labels) => expAlert(rule, labels)) },
    ],
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
