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
  /**
   * The levels start above the thresholds instead of at them ("more than twice the hint"): a
   * value at or below a threshold scores at most the largest double below that level's score.
   */
  readonly exclusive?: boolean;
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

/** The largest double below a positive finite value. */
function justBelow(value: number): number {
  // A positive double's bit pattern, read as an integer, orders like the double: minus one is the
  // next double down. Big-endian words: the low word is at offset 4.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const low = view.getUint32(4);
  if (low === 0) view.setUint32(0, view.getUint32(0) - 1);
  view.setUint32(4, (low - 1) >>> 0);
  return view.getFloat64(0);
}

const BELOW_WARN = justBelow(W);
const BELOW_CRITICAL = justBelow(RISK_LEVEL_SCORES.critical);

export function rampScore(value: number, ramp: Ramp): number {
  const score = inclusiveScore(value, ramp);
  if (!ramp.exclusive || value > ramp.critical) return score;
  return Math.min(score, value > ramp.warn ? BELOW_CRITICAL : BELOW_WARN);
}

/** PromQL of {@link rampScore} applied to every sample of `input` (an instant-vector expression). */
export function rampPromql(input: string, ramp: Ramp): string {
  const score = inclusivePromql(input, ramp);
  if (!ramp.exclusive) return score;
  // Each sample takes the first branch that has it: above critical, above warn, the rest.
  return (
    `((${score}) and (${input}) > ${num(ramp.critical)})` +
    ` or (clamp_max(${score}, ${num(BELOW_CRITICAL)}) and (${input}) > ${num(ramp.warn)})` +
    ` or clamp_max(${score}, ${num(BELOW_WARN)})`
  );
}

function inclusiveScore(value: number, ramp: Ramp): number {
  const span = ramp.critical - ramp.warn;
  return (
    (W * clamp(value, 0, ramp.warn)) / ramp.warn +
    (C_SPAN * clamp(value - ramp.warn, 0, span)) / span +
    (TOP_SPAN * clamp(value - ramp.critical, 0, ramp.critical)) / ramp.critical
  );
}

function inclusivePromql(input: string, ramp: Ramp): string {
  const span = ramp.critical - ramp.warn;
  return (
    `${num(W)} * clamp(${input}, 0, ${num(ramp.warn)}) / ${num(ramp.warn)}` +
    ` + ${num(C_SPAN)} * clamp(${input} - ${num(ramp.warn)}, 0, ${num(span)}) / ${num(span)}` +
    ` + ${num(TOP_SPAN)} * clamp(${input} - ${num(ramp.critical)}, 0, ${num(ramp.critical)}) / ${num(ramp.critical)}`
  );
}
