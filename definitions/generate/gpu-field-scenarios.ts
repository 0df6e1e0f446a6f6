import {
  DCGM_CLOCK_EVENT_REASONS,
  DCGM_GPU_UTIL,
  DCGM_XID_ERRORS,
  FIELD_LABEL,
  GPU_RISK_RECORDS,
  REASON_LABEL,
  RISK_LEVEL_SEVERITY,
  RISK_LEVEL_VALUES,
  type RuleFile,
} from '../src/index.js';
import { alertTests } from './alert-tests.js';
import { GPU_LABELS } from './risk-scenarios.js';
import { EVAL_TIME, constant, seriesName } from './series.js';

/**
 * A GPU behind dcgm-exporter's default counters has no clock event field: its throttling factor
 * has no score (not 0), the not-collected series names the field, and its other factors still count.
 */
export function gpuFieldTests(file: RuleFile) {
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
        {
          expr: throttling,
          eval_time: EVAL_TIME,
          exp_samples: [
            {
              labels: seriesName(GPU_RISK_RECORDS.factorScore, { ...GPU_LABELS, [REASON_LABEL]: 'throttling' }),
              value: 0,
            },
          ],
        },
        { expr: GPU_RISK_RECORDS.factorNotCollected, eval_time: EVAL_TIME, exp_samples: [] },
        { expr: GPU_RISK_RECORDS.level, eval_time: EVAL_TIME, exp_samples: [level] },
      ],
    },
    hostnameTest(file),
  ];
}

/** Current dcgm-exporter releases label the node `hostname`; the rules key and name GPUs by either. */
function hostnameTest(file: RuleFile) {
  const { Hostname, ...rest } = GPU_LABELS;
  const labels = { ...rest, hostname: Hostname };
  const exporter = { job: labels.job, instance: labels.instance };
  return {
    name: 'gpu labelled hostname (dcgm-exporter after its rename) with a critical XID',
    interval: '1m',
    input_series: [
      constant('up', exporter, 1),
      constant(DCGM_GPU_UTIL, labels, 65),
      constant(DCGM_XID_ERRORS, labels, 79),
    ],
    alert_rule_test: alertTests(file, (rule) =>
      rule.labels?.[REASON_LABEL] === 'xid' && rule.labels.severity === RISK_LEVEL_SEVERITY.critical ? labels : null,
    ),
    promql_expr_test: [
      {
        expr: GPU_RISK_RECORDS.level,
        eval_time: EVAL_TIME,
        exp_samples: [{ labels: seriesName(GPU_RISK_RECORDS.level, labels), value: RISK_LEVEL_VALUES.critical }],
      },
    ],
  };
}
