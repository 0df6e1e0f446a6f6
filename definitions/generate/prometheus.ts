import {
  BURN_RATE_ALERTS,
  GPU_RISK_FACTORS,
  GPU_RISK_RECORDS,
  JOBS,
  LRU_RISK_FACTORS,
  LRU_RISK_RECORDS,
  MAP_RISK_FACTORS,
  MAP_RISK_RECORDS,
  REASON_LABEL,
  RISK_LEVEL_SEVERITY,
  RISK_LEVEL_VALUES,
  alertErrorBudget,
  gpuRiskRules,
  lruRiskRules,
  mapRiskRules,
  scoreGpu,
  scoreLru,
  scoreMap,
  sloId,
  telemetryRules,
  sloRules,
  type RiskAssessment,
  type RiskFactor,
  type RuleFile,
  type SlothSpec,
} from '../src/index.js';
import { DEMO_JOB } from './demo.js';
import { alertTests } from './alert-tests.js';
import { withRunbooks } from './runbooks.js';
import { gpuFieldTests } from './gpu-field-scenarios.js';
import { telemetryTests } from './telemetry-scenarios.js';
import { yamlFile, type GeneratedFile } from './output.js';
import {
  GPU_LABELS,
  GPU_SCENARIOS,
  LRU_LABELS,
  LRU_SCENARIOS,
  LRU_WITHOUT_INPUTS,
  MAP_LABELS,
  MAP_SCENARIOS,
  MAP_WITHOUT_INPUTS,
  type RiskScenario,
} from './risk-scenarios.js';
import { EVAL_TIME, seriesName, type InputSeries } from './series.js';
import { SLO_SCENARIOS, recordedSliSeries } from './slo-scenarios.js';

export const PROMETHEUS_DIR = 'provisioning/prometheus';
export const RULES_DIR = `${PROMETHEUS_DIR}/rules`;
export const TESTS_DIR = `${PROMETHEUS_DIR}/tests`;
export const SLOTH_VERSION = 'presize-definitions';

export interface RuleFileSet {
  /** File name under the rules directory. */
  name: string;
  rules: RuleFile;
}

export function ruleFileSets(specs: readonly { file: string; spec: SlothSpec }[]): RuleFileSet[] {
  return [
    { name: 'presize-map-risk.yml', rules: withRunbooks(mapRiskRules(), false) },
    { name: 'presize-gpu-risk.yml', rules: withRunbooks(gpuRiskRules(), false) },
    { name: 'presize-lru-risk.yml', rules: withRunbooks(lruRiskRules(), false) },
    { name: TELEMETRY_RULES_FILE, rules: withRunbooks(telemetryRules(), false) },
    ...specs.map(({ file, spec }) => ({
      name: `slo-${file.replace(/\.ya?ml$/, '')}.yml`,
      rules: withRunbooks(sloRules(spec, { version: SLOTH_VERSION }), true),
    })),
  ];
}

export const TELEMETRY_RULES_FILE = 'presize-telemetry.yml';

function riskTests<Reason extends string>(
  kind: string,
  file: RuleFile,
  scenarios: readonly RiskScenario<Reason>[],
  factors: readonly RiskFactor<Reason>[],
  records: { factorScore: string; score: string; level: string },
  subjectLabels: Record<string, string>,
  score: (inputs: Partial<Record<Reason, number>>) => RiskAssessment<Reason>,
) {
  return scenarios.map((scenario) => {
    const factor = factors.find((f) => f.reason === scenario.reason)!;
    const expected = score({ [scenario.reason]: scenario.input } as Partial<Record<Reason, number>>);
    if (expected.level !== scenario.level) {
      throw new Error(
        `${kind} scenario ${scenario.reason}/${scenario.level} scores ${expected.level}: fix the scenario`,
      );
    }
    const sample = (metric: string, value: number, extra: Record<string, string> = {}) => ({
      labels: seriesName(metric, { ...subjectLabels, ...extra }),
      value,
    });
    const promql = [
      {
        expr: records.level,
        eval_time: EVAL_TIME,
        exp_samples: [sample(records.level, RISK_LEVEL_VALUES[expected.level])],
      },
    ];
    if (scenario.exact) {
      promql.push(
        { expr: factor.inputRecord, eval_time: EVAL_TIME, exp_samples: [sample(factor.inputRecord, scenario.input)] },
        {
          expr: `${records.factorScore}{${REASON_LABEL}="${scenario.reason}"}`,
          eval_time: EVAL_TIME,
          exp_samples: [sample(records.factorScore, factor.score(scenario.input), { [REASON_LABEL]: scenario.reason })],
        },
        { expr: records.score, eval_time: EVAL_TIME, exp_samples: [sample(records.score, expected.score)] },
      );
    }
    const severity = scenario.level === 'ok' ? null : RISK_LEVEL_SEVERITY[scenario.level];
    return {
      name: `${kind} ${scenario.reason} at ${scenario.level}${scenario.variant ? ` (${scenario.variant})` : ''}`,
      interval: '1m',
      input_series: scenario.series,
      alert_rule_test: alertTests(file, (rule) =>
        rule.labels?.[REASON_LABEL] === scenario.reason && rule.labels?.severity === severity ? subjectLabels : null,
      ),
      promql_expr_test: promql,
    };
  });
}

/**
 * A subject whose factors have no input: no factor score series (a 0 would claim "measured,
 * fine"), and a score and level of 0 from the subjects' baseline.
 */
function withoutInputsTest(
  kind: string,
  series: InputSeries[],
  records: { factorScore: string; score: string; level: string },
  subjectLabels: Record<string, string>,
) {
  const zero = (metric: string) => ({
    expr: metric,
    eval_time: EVAL_TIME,
    exp_samples: [{ labels: seriesName(metric, subjectLabels), value: 0 }],
  });
  return {
    name: `${kind} without any factor input`,
    interval: '1m',
    input_series: series,
    promql_expr_test: [
      { expr: records.factorScore, eval_time: EVAL_TIME, exp_samples: [] },
      zero(records.score),
      zero(records.level),
    ],
  };
}

/** Error ratios tested per SLO, as multiples of its error budget: page and ticket, ticket only, none. */
const BUDGET_MULTIPLES = [20, 4, 0.5] as const;

function sloTests(spec: SlothSpec, file: RuleFile) {
  return spec.slos.flatMap((slo) => {
    const id = sloId(spec.service, slo.name);
    const labels = { ...spec.labels, ...slo.labels, sloth_id: id, sloth_service: spec.service, sloth_slo: slo.name };
    const series = SLO_SCENARIOS[id] ?? recordedSliSeries(slo, labels);
    const budget = alertErrorBudget(slo.objective);
    return BUDGET_MULTIPLES.filter((m) => m * budget <= 1 && !(m === 20 && slo.alerting.page_alert?.disable)).map(
      (multiple) => {
        const fires = (severity: 'page' | 'ticket') =>
          BURN_RATE_ALERTS[severity].some(({ factor }) => multiple > factor);
        return {
          name: `slo ${id} at ${multiple}x its error budget`,
          interval: '1m',
          input_series: series(multiple * budget),
          alert_rule_test: alertTests(file, (rule) =>
            rule.expr.includes(`sloth_id="${id}"`) && fires(rule.labels!.sloth_severity as 'page' | 'ticket')
              ? labels
              : null,
          ),
        };
      },
    );
  });
}

const MAP_SUBJECT = { job: MAP_LABELS.job, presize_map_name: MAP_LABELS.presize_map_name };
const LRU_SUBJECT = { job: LRU_LABELS.job, presize_lru_name: LRU_LABELS.presize_lru_name };

export function prometheusFiles(specs: readonly { file: string; spec: SlothSpec }[]): GeneratedFile[] {
  const sets = ruleFileSets(specs);
  const files: GeneratedFile[] = sets.map((set) => yamlFile(`${RULES_DIR}/${set.name}`, set.rules));
  const [map, gpu, lru, telemetry, ...slo] = sets as [
    RuleFileSet,
    RuleFileSet,
    RuleFileSet,
    RuleFileSet,
    ...RuleFileSet[],
  ];
  const testFile = (set: RuleFileSet, tests: unknown[]) =>
    yamlFile(`${TESTS_DIR}/${set.name.replace(/\.yml$/, '.test.yml')}`, {
      rule_files: [`../rules/${set.name}`],
      evaluation_interval: '1m',
      // promtool evaluates groups in no particular order unless told: file order is the order in
      // which a group reads what the ones before it record.
      group_eval_order: set.rules.groups.map((g) => g.name),
      tests,
    });
  files.push(
    testFile(map, [
      ...riskTests('map', map.rules, MAP_SCENARIOS, MAP_RISK_FACTORS, MAP_RISK_RECORDS, MAP_SUBJECT, scoreMap),
      withoutInputsTest('map', MAP_WITHOUT_INPUTS, MAP_RISK_RECORDS, MAP_SUBJECT),
    ]),
    testFile(telemetry, telemetryTests(telemetry.rules)),
    testFile(gpu, [
      ...riskTests('gpu', gpu.rules, GPU_SCENARIOS, GPU_RISK_FACTORS, GPU_RISK_RECORDS, GPU_LABELS, scoreGpu),
      ...gpuFieldTests(gpu.rules),
    ]),
    testFile(lru, [
      ...riskTests('lru', lru.rules, LRU_SCENARIOS, LRU_RISK_FACTORS, LRU_RISK_RECORDS, LRU_SUBJECT, scoreLru),
      withoutInputsTest('lru', LRU_WITHOUT_INPUTS, LRU_RISK_RECORDS, LRU_SUBJECT),
    ]),
  );
  slo.forEach((set, i) => {
    files.push(testFile(set, sloTests(specs[i]!.spec, set.rules)));
  });
  files.push(yamlFile(`${PROMETHEUS_DIR}/prometheus.yml`, prometheusConfig(sets)));
  return files;
}

/** Scrape configuration for the docker-compose setup: Prometheus itself, the demo service, a GPU exporter. */
function prometheusConfig(sets: readonly RuleFileSet[]) {
  return {
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    rule_files: sets.map((s) => `rules/${s.name}`),
    scrape_configs: [
      { job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] },
      {
        job_name: DEMO_JOB,
        scrape_interval: '5s',
        static_configs: [{ targets: ['demo:9464'] }],
      },
      {
        job_name: JOBS.gpuExporter,
        scrape_interval: '15s',
        static_configs: [{ targets: ['dcgm-exporter:9400'] }],
      },
    ],
  };
}
