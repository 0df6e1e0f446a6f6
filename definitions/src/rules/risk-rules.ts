import {
  DCGM_GPU_UTIL,
  GPU_KEY_LABELS,
  LRU_KEY_LABELS,
  MAP_KEY_LABELS,
  PROM_LRU_ENTRIES,
  PROM_MAP_ENTRIES,
} from '../metrics.js';
import { by, num, selector } from '../promql.js';
import type { RiskFactor } from '../risk/factor.js';
import { GPU_RISK_FACTORS } from '../risk/gpu-factors.js';
import { RISK_LEVEL_SCORES, RISK_LEVEL_SEVERITY } from '../risk/levels.js';
import { LRU_RISK_FACTORS } from '../risk/lru-factors.js';
import { MAP_RISK_FACTORS } from '../risk/map-factors.js';
import { FIELD_LABEL, GPU_RISK_RECORDS, LRU_RISK_RECORDS, MAP_RISK_RECORDS, REASON_LABEL } from '../risk/scores.js';
import type { AlertingRule, RecordingRule, RuleFile, RuleGroup } from './types.js';

interface Subject<Reason extends string> {
  /** `map`, `gpu` or `lru`: names the rule groups. */
  readonly kind: string;
  readonly factors: readonly RiskFactor<Reason>[];
  readonly records: {
    factorScore: string;
    subjects: string;
    score: string;
    level: string;
    factorNotCollected?: string;
  };
  /** Labels that identify one subject. */
  readonly key: readonly string[];
  /** One series per subject, so that every subject has a score (0 where no factor has an input). */
  readonly baseline: string;
  /** The subjects reporting now, where the baseline also holds subjects seen earlier. */
  readonly reporting?: string;
  /** Alert summary, a Prometheus template naming the subject. */
  readonly who: string;
}

const MAP_SUBJECT: Subject<string> = {
  kind: 'map',
  factors: MAP_RISK_FACTORS,
  records: MAP_RISK_RECORDS,
  key: MAP_KEY_LABELS,
  baseline: `max ${by(MAP_KEY_LABELS)} (${PROM_MAP_ENTRIES})`,
  who: 'map {{ $labels.presize_map_name }} of {{ $labels.job }}',
};

const GPU_SUBJECT: Subject<string> = {
  kind: 'gpu',
  factors: GPU_RISK_FACTORS,
  records: GPU_RISK_RECORDS,
  key: GPU_KEY_LABELS,
  // The `down` input exists for every GPU seen recently, up or not.
  baseline: GPU_RISK_FACTORS.find((f) => f.reason === 'down')!.inputRecord,
  // A GPU whose exporter is down has no field at all: that is the `down` factor, not "not collected".
  reporting: `max ${by(GPU_KEY_LABELS)} (${DCGM_GPU_UTIL})`,
  who: 'GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.Hostname }}{{ $labels.hostname }} {{ $labels.instance }}',
};

const LRU_SUBJECT: Subject<string> = {
  kind: 'lru',
  factors: LRU_RISK_FACTORS,
  records: LRU_RISK_RECORDS,
  key: LRU_KEY_LABELS,
  baseline: `max ${by(LRU_KEY_LABELS)} (${PROM_LRU_ENTRIES})`,
  who: 'lru-cache {{ $labels.presize_lru_name }} of {{ $labels.job }}',
};

/**
 * PromQL of the level value (0, 1, 2) of every sample of a score expression: the number of level
 * scores it reaches, two comparisons and one sum per sample.
 */
export function levelPromql(score: string): string {
  return `(${score} >= bool ${num(RISK_LEVEL_SCORES.warn)}) + (${score} >= bool ${num(RISK_LEVEL_SCORES.critical)})`;
}

/**
 * A factor read from a field a default exporter does not collect: without the field there is no
 * score series (a 0 would claim "measured, fine"), and a series per subject names the field.
 */
function notCollectedRule<Reason extends string>(subject: Subject<Reason>, f: RiskFactor<Reason>): RecordingRule[] {
  if (!f.requiredFields) return [];
  if (!subject.records.factorNotCollected)
    throw new Error(
      `${subject.kind} factor ${f.reason} names required fields, but ${subject.kind} has no not-collected record`,
    );
  return [
    {
      record: subject.records.factorNotCollected,
      expr: `(${subject.reporting ?? subject.baseline} * 0 + 1) unless on (${subject.key.join(', ')}) ${f.inputRecord}`,
      labels: { [REASON_LABEL]: f.reason, [FIELD_LABEL]: f.requiredFields[0]! },
    },
  ];
}

/**
 * The rules in groups that Prometheus and vmalert evaluate side by side: the subjects first, then
 * three groups per factor (one reads its raw series once into its recorded input, one scores that
 * input, one raises the factor's alerts from the score), then the subject's score and level over
 * the recorded factor scores. One group for all of it took 8 s an evaluation at 10,000 maps,
 * every factor waiting for the one before. At 10,000 maps a factor's input, its score and its
 * alerts each take a few hundred milliseconds of a core, and a score with its alerts took over a
 * second on the idle 2-core machine (`hint_exceeded`, 2,000 active alerts, each expanding its
 * templates at every evaluation; vmalert 1.4 s, Prometheus 1.1 s). A group reads what the groups before it recorded in the same
 * evaluation when they run in file order (promtool, vmalert's unit tests) and at most one
 * evaluation interval old otherwise, which the alerts' `for` and the dashboards' resolution absorb.
 * A factor score is written only where its input has a sample: a zero for every quiet subject and
 * factor would be written, stored and read again by the score for nothing (at 10,000 maps, 70,000
 * series an evaluation). The subjects, recorded once, give the score its 0 where no factor has one.
 */
function ruleGroups<Reason extends string>(subject: Subject<Reason>): RuleGroup[] {
  const subjects: RecordingRule = { record: subject.records.subjects, expr: `${subject.baseline} * 0` };
  // A baseline that is a factor's input (a GPU's `down`) is recorded in that factor's group, first.
  const baseFactor = subject.factors.find((f) => f.inputRecord === subject.baseline);
  const factorGroups = (f: RiskFactor<Reason>): RuleGroup[] => {
    const name = `presize-${subject.kind}-risk-${f.reason.replaceAll('_', '-')}`;
    return [
      {
        name,
        rules: [
          { record: f.inputRecord, expr: f.inputExpr },
          ...(f === baseFactor ? [subjects] : []),
          ...notCollectedRule(subject, f),
        ],
      },
      {
        name: `${name}-score`,
        rules: [
          {
            record: subject.records.factorScore,
            expr: f.scorePromql(f.inputRecord),
            labels: { [REASON_LABEL]: f.reason },
          },
        ],
      },
      { name: `${name}-alerts`, rules: alertingRules(subject, f) },
    ];
  };
  const summary: RuleGroup = {
    name: `presize-${subject.kind}-risk`,
    rules: [
      {
        record: subject.records.score,
        expr: `max without (${REASON_LABEL}) (${subject.records.factorScore}) or ${subject.records.subjects}`,
      },
      { record: subject.records.level, expr: levelPromql(subject.records.score) },
    ],
  };
  if (baseFactor) {
    const others = subject.factors.filter((f) => f !== baseFactor);
    return [...factorGroups(baseFactor), ...others.flatMap(factorGroups), summary];
  }
  return [
    { name: `presize-${subject.kind}-risk-subjects`, rules: [subjects] },
    ...subject.factors.flatMap(factorGroups),
    summary,
  ];
}

/** The factor's alerts, critical and (when the factor has the level) warning, over its recorded score. */
function alertingRules<Reason extends string>(subject: Subject<Reason>, f: RiskFactor<Reason>): AlertingRule[] {
  const score = selector(subject.records.factorScore, [[REASON_LABEL, '=', f.reason]]);
  const annotations = (level: string) => ({
    summary: `${f.title} (${level}): ${subject.who}`,
    description: `${f.description} Thresholds: ${f.thresholdText}.`,
  });
  const rules: AlertingRule[] = [
    {
      alert: f.alert,
      expr: `${score} >= ${num(RISK_LEVEL_SCORES.critical)}`,
      for: f.for,
      labels: { severity: RISK_LEVEL_SEVERITY.critical, [REASON_LABEL]: f.reason },
      annotations: annotations('critical'),
    },
    {
      alert: f.alert,
      expr: `${score} >= ${num(RISK_LEVEL_SCORES.warn)} < ${num(RISK_LEVEL_SCORES.critical)}`,
      for: f.for,
      labels: { severity: RISK_LEVEL_SEVERITY.warn, [REASON_LABEL]: f.reason },
      annotations: annotations('warning'),
    },
  ];
  return rules.filter((r) => r.labels?.severity === RISK_LEVEL_SEVERITY.critical || f.levels.includes('warn'));
}

function riskRuleFile<Reason extends string>(subject: Subject<Reason>): RuleFile {
  return { groups: ruleGroups(subject) };
}

export const mapRiskRules = (): RuleFile => riskRuleFile(MAP_SUBJECT);
export const gpuRiskRules = (): RuleFile => riskRuleFile(GPU_SUBJECT);
export const lruRiskRules = (): RuleFile => riskRuleFile(LRU_SUBJECT);
