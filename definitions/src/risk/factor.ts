import { num } from '../promql.js';
import { RISK_LEVEL_SCORES } from './levels.js';
import { rampPromql, rampScore, validateRamp, type Ramp } from './ramp.js';

/**
 * One measured cause of risk. Its input is a recorded series (one per map or per GPU); its score
 * (0–100) is computed from that input by the same formula in TypeScript and in PromQL.
 */
export interface RiskFactor<Reason extends string> {
  readonly reason: Reason;
  /** Short title for people: risk map cells, alert summaries. */
  readonly title: string;
  /** What the input measures and why it is a risk. */
  readonly description: string;
  /** The alert that fires while this factor is at `warn` or `critical`. */
  readonly alert: string;
  /** How long the level must hold before the alert fires (Prometheus duration). */
  readonly for: string;
  /** The recording rule holding the factor's input, one series per map or GPU. */
  readonly inputRecord: string;
  /** PromQL of the input, aggregated to one series per map or GPU. */
  readonly inputExpr: string;
  /** Unit of the input, for people (dashboards, docs). */
  readonly inputUnit: string;
  /**
   * Exported fields the input is read from, when a default exporter does not collect them (the
   * first is the current name). Without any of them the factor has no score series at all rather
   * than a score of 0, and `presize:<kind>_risk_factor:not_collected` names the missing field.
   */
  readonly requiredFields?: readonly string[];
  /** The thresholds in the input's own unit, for people. */
  readonly thresholdText: string;
  /** The levels this factor can reach: a code factor without warn predicates is critical or ok. */
  readonly levels: readonly ('warn' | 'critical')[];
  /** Score of one input value. */
  score(input: number): number;
  /** PromQL of {@link score} over an instant vector of inputs. */
  scorePromql(input: string): string;
}

type FactorText<Reason extends string> = Omit<RiskFactor<Reason>, 'score' | 'scorePromql' | 'thresholdText' | 'levels'>;

/** A factor whose score rises continuously with its input (see `rampScore`). */
export function rampFactor<Reason extends string>(text: FactorText<Reason>, ramp: Ramp): RiskFactor<Reason> {
  validateRamp(text.reason, ramp);
  return {
    ...text,
    levels: ['warn', 'critical'],
    thresholdText: ramp.exclusive
      ? `warn above ${ramp.warn} ${text.inputUnit}, critical above ${ramp.critical} ${text.inputUnit}`
      : `warn at ${ramp.warn} ${text.inputUnit}, critical at ${ramp.critical} ${text.inputUnit}`,
    score: (input) => rampScore(input, ramp),
    scorePromql: (input) => rampPromql(input, ramp),
  };
}

/**
 * A factor measured as "time left" (lower is worse): scored on `warn / input`, which is 1 at the
 * warn threshold and `warn / critical` at the critical one.
 */
export function timeLeftFactor<Reason extends string>(
  text: FactorText<Reason>,
  thresholds: { warn: number; critical: number },
): RiskFactor<Reason> {
  if (!(thresholds.warn > thresholds.critical && thresholds.critical > 0)) {
    throw new RangeError(
      `factor ${text.reason}: need warn > critical > 0 (time left), got warn=${thresholds.warn} critical=${thresholds.critical}`,
    );
  }
  const ramp: Ramp = { warn: 1, critical: thresholds.warn / thresholds.critical };
  const urgency = (input: string) => `(${num(thresholds.warn)} / ${input})`;
  return {
    ...text,
    levels: ['warn', 'critical'],
    thresholdText: `warn at ${thresholds.warn} ${text.inputUnit} or less, critical at ${thresholds.critical} ${text.inputUnit} or less`,
    score: (input) => rampScore(thresholds.warn / input, ramp),
    scorePromql: (input) => rampPromql(urgency(input), ramp),
  };
}

/**
 * A factor whose input is a code: `critical` when one of the critical predicates holds, else `warn`
 * when one of the warn predicates holds, else 0. Predicates are PromQL filter templates (`$v`
 * stands for the input) with their TypeScript twins.
 */
export interface CodePredicate {
  readonly text: string;
  readonly test: (value: number) => boolean;
  /** PromQL filter expression over `$v`, keeping samples for which `test` is true. */
  readonly promql: string;
}

export function codeFactor<Reason extends string>(
  text: FactorText<Reason>,
  predicates: { warn: readonly CodePredicate[]; critical: readonly CodePredicate[] },
): RiskFactor<Reason> {
  const any = (list: readonly CodePredicate[], input: string) =>
    list.map((p) => `(${p.promql.replace(/\$v/g, input)})`).join(' or ');
  return {
    ...text,
    levels: predicates.warn.length > 0 ? ['warn', 'critical'] : ['critical'],
    thresholdText: [
      predicates.warn.length > 0 ? `warn when ${predicates.warn.map((p) => p.text).join(' or ')}` : '',
      `critical when ${predicates.critical.map((p) => p.text).join(' or ')}`,
    ]
      .filter(Boolean)
      .join(', '),
    score: (input) => {
      if (predicates.critical.some((p) => p.test(input))) return 100;
      if (predicates.warn.some((p) => p.test(input))) return RISK_LEVEL_SCORES.warn;
      return 0;
    },
    scorePromql: (input) => {
      const parts = [`(${any(predicates.critical, input)}) * 0 + 100`];
      if (predicates.warn.length > 0) {
        parts.push(`(${any(predicates.warn, input)}) * 0 + ${num(RISK_LEVEL_SCORES.warn)}`);
      }
      // abs: a negative input times 0 is -0, which TypeScript and Grafana would show apart from 0.
      parts.push(`abs(${input} * 0)`);
      return parts.map((p) => `(${p})`).join(' or ');
    },
  };
}
