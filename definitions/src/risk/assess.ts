import { levelForScore, type RiskLevel } from './levels.js';
import type { RiskFactor } from './factor.js';

export interface FactorScore<Reason extends string> {
  readonly reason: Reason;
  readonly title: string;
  readonly score: number;
  readonly level: RiskLevel;
}

export interface RiskAssessment<Reason extends string> {
  /** 0–100: the highest factor score. */
  readonly score: number;
  readonly level: RiskLevel;
  /** Factors with a score above 0, highest first (ties in factor order). */
  readonly reasons: readonly FactorScore<Reason>[];
  /** The reason of the highest-scoring factor, or null when every factor scores 0. */
  readonly topReason: Reason | null;
}

/** Inputs by reason; a missing, null or NaN input scores 0, as the recording rules do. */
export type RiskInputs<Reason extends string> = Partial<Record<Reason, number | null | undefined>>;

/** Scores one input by its factor, treating missing and NaN the way the recording rules do. */
export function scoreFactor<Reason extends string>(
  factor: RiskFactor<Reason>,
  input: number | null | undefined,
): number {
  if (input === null || input === undefined || Number.isNaN(input)) return 0;
  const score = factor.score(input);
  return Number.isNaN(score) ? 0 : score;
}

export function assess<Reason extends string>(
  factors: readonly RiskFactor<Reason>[],
  inputs: RiskInputs<Reason>,
): RiskAssessment<Reason> {
  return assessScores(
    factors,
    Object.fromEntries(factors.map((factor) => [factor.reason, scoreFactor(factor, inputs[factor.reason])])) as Partial<
      Record<Reason, number>
    >,
  );
}

/**
 * Score, level and reasons from factor scores already computed, such as the recorded
 * `presize:*_risk_factor:score` series by `reason`: a reader of the records ranks them as
 * {@link assess} ranks its own. A missing, null or NaN score counts as 0, as in the rules.
 */
export function assessScores<Reason extends string>(
  factors: readonly RiskFactor<Reason>[],
  scores: Partial<Record<Reason, number | null | undefined>>,
): RiskAssessment<Reason> {
  const scored = factors.map((factor, order) => {
    const score = scores[factor.reason];
    return {
      order,
      reason: factor.reason,
      title: factor.title,
      score: score === null || score === undefined || Number.isNaN(score) ? 0 : score,
    };
  });
  const reasons = scored
    .filter((f) => f.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ reason, title, score }) => ({ reason, title, score, level: levelForScore(score) }));
  const score = reasons.length > 0 ? reasons[0]!.score : 0;
  return { score, level: levelForScore(score), reasons, topReason: reasons[0]?.reason ?? null };
}

/** Top reason from recorded factor scores (`presize:*_risk_factor:score` by `reason`). */
export function topReason<Reason extends string>(
  factors: readonly RiskFactor<Reason>[],
  scores: Partial<Record<Reason, number>>,
): Reason | null {
  return assessScores(factors, scores).topReason;
}
