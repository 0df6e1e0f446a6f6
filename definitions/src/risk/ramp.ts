import { num } from '../promql.js';
import { RISK_LEVEL_SCORES } from './levels.js';

/**
 * The score of a measured factor: a continuous, piecewise-linear function of its value that is
 * 0 at 0, reaches the `warn` level score exactly at the warn threshold, the `critical` level score
 * exactly at the critical threshold, and 100 at twice the critical threshold. The same formula is
 * written as PromQL by {@link rampPromql}; both evaluate the same operations in the same order on
 * the same constants, so they agree to the last bit.
 */
export interface Ramp {
  /** Value at which the factor becomes `warn`. */
  readonly warn: number;
  /** Value at which the factor becomes `critical`; greater than `warn`. */
  readonly critical: number;
}

const W = RISK_LEVEL_SCORES.warn;
const C_SPAN = RISK_LEVEL_SCORES.critical - RISK_LEVEL_SCORES.warn;
const TOP_SPAN = 100 - RISK_LEVEL_SCORES.critical;

function clamp(v: number, min: number, max: number): number {
  // PromQL clamp(): NaN stays NaN.
  return Math.max(min, Math.min(max, v));
}

export function validateRamp(name: string, ramp: Ramp): void {
  if (!(ramp.warn > 0 && ramp.critical > ramp.warn && Number.isFinite(ramp.critical))) {
    throw new RangeError(
      `ramp ${name}: need 0 < warn < critical (finite), got warn=${ramp.warn} critical=${ramp.critical}`,
    );
  }
}

export function rampScore(value: number, ramp: Ramp): number {
  const span = ramp.critical - ramp.warn;
  return (
    (W * clamp(value, 0, ramp.warn)) / ramp.warn +
    (C_SPAN * clamp(value - ramp.warn, 0, span)) / span +
    (TOP_SPAN * clamp(value - ramp.critical, 0, ramp.critical)) / ramp.critical
  );
}

/** PromQL of {@link rampScore} applied to every sample of `input` (an instant-vector expression). */
export function rampPromql(input: string, ramp: Ramp): string {
  const span = ramp.critical - ramp.warn;
  return (
    `${num(W)} * clamp(${input}, 0, ${num(ramp.warn)}) / ${num(ramp.warn)}` +
    ` + ${num(C_SPAN)} * clamp(${input} - ${num(ramp.warn)}, 0, ${num(span)}) / ${num(span)}` +
    ` + ${num(TOP_SPAN)} * clamp(${input} - ${num(ramp.critical)}, 0, ${num(ramp.critical)}) / ${num(ramp.critical)}`
  );
}
