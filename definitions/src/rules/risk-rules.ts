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
import { RISK_LEVEL_SCORES, RISK_LEVEL_SEVERITY, RISK_LEVEL_VALUES } from '../risk/levels.js';
import { LRU_RISK_FACTORS } from '../risk/lru-factors.js';
import { MAP_RISK_FACTORS } from '../risk/map-factors.js';
import { FIELD_LABEL, GPU_RISK_RECORDS, LRU_RISK_RECORDS, MAP_RISK_RECORDS, REASON_LABEL } from '../risk/scores.js';
import type { AlertingRule, RecordingRule, RuleFile } from './types.js';

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
  /** One series per subject, so that every subject has every factor score (0 without data). */
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

/** PromQL of the level value (0, 1, 2) of every sample of a score expression. */
export function levelPromql(score: string): string {
  return (
    `(${score} >= ${num(RISK_LEVEL_SCORES.critical)}) * 0 + ${num(RISK_LEVEL_VALUES.critical)}` +
    ` or (${score} >= ${num(RISK_LEVEL_SCORES.warn)}) * 0 + ${num(RISK_LEVEL_VALUES.warn)}` +
    ` or ${score} * 0 + ${num(RISK_LEVEL_VALUES.ok)}`
  );
}

/**
 * A factor read from a field a default exporter does not collect: without the field there is no
 * score series (a 0 would claim "measured, fine"), and a series per subject names the field.
 */
function notCollectedRules<Reason extends string>(subject: Subject<Reason>): RecordingRule[] {
  return subject.factors.flatMap((f) => {
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
  });
}

/**
 * The group reads each raw series family once, into one recorded input per subject and factor;
 * everything after that reads recorded series only. The baseline is recorded once rather than
 * aggregated from raw series again by every factor score: at 10,000 maps each of those
 * aggregations costs as much as a factor's own score.
 */
function recordingRules<Reason extends string>(subject: Subject<Reason>): RecordingRule[] {
  const inputs = subject.factors.map((f) => ({ record: f.inputRecord, expr: f.inputExpr }));
  const factorScores = subject.factors.map((f) => ({
    record: subject.records.factorScore,
    expr: f.requiredFields
      ? f.scorePromql(f.inputRecord)
      : `(${f.scorePromql(f.inputRecord)}) or ${subject.records.subjects}`,
    labels: { [REASON_LABEL]: f.reason },
  }));
  return [
    ...inputs,
    { record: subject.records.subjects, expr: `${subject.baseline} * 0` },
    ...notCollectedRules(subject),
    ...factorScores,
    { record: subject.records.score, expr: `max without (${REASON_LABEL}) (${subject.records.factorScore})` },
    { record: subject.records.level, expr: levelPromql(subject.records.score) },
  ];
}

function alertingRules<Reason extends string>(subject: Subject<Reason>): AlertingRule[] {
  return subject.factors.flatMap((f) => {
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
  });
}

function riskRuleFile<Reason extends string>(subject: Subject<Reason>): RuleFile {
  return {
    groups: [
      { name: `presize-${subject.kind}-risk`, rules: recordingRules(subject) },
      { name: `presize-${subject.kind}-risk-alerts`, rules: alertingRules(subject) },
    ],
  };
}

export const mapRiskRules = (): RuleFile => riskRuleFile(MAP_SUBJECT);
export const gpuRiskRules = (): RuleFile => riskRuleFile(GPU_SUBJECT);
export const lruRiskRules = (): RuleFile => riskRuleFile(LRU_SUBJECT);
