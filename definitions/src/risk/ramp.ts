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
const CRITICAL = RISK_LEVEL_SCORES.critical;
const TOP_SPAN = 100 - CRITICAL;

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
const BELOW_CRITICAL = justBelow(CRITICAL);

/**
 * Each value takes the first of three pieces its range selects: up to warn, up to critical, above.
 * In PromQL every piece filters its input first, so a piece's arithmetic runs only on the samples
 * it scores, and each input is read three times instead of three times per term of a sum (nine for
 * an exclusive ramp): at 10,000 maps the arithmetic, not the reading, is what a score costs.
 */
export function rampScore(value: number, ramp: Ramp): number {
  const span = ramp.critical - ramp.warn;
  if (value <= ramp.warn) {
    const score = (W * Math.max(value, 0)) / ramp.warn;
    return ramp.exclusive ? Math.min(score, BELOW_WARN) : score;
  }
  if (value <= ramp.critical) {
    const score = W + (C_SPAN * (value - ramp.warn)) / span;
    return ramp.exclusive ? Math.min(score, BELOW_CRITICAL) : score;
  }
  if (value > ramp.critical)
    return CRITICAL + (TOP_SPAN * Math.min(value - ramp.critical, ramp.critical)) / ramp.critical;
  // NaN: no piece holds it, as no PromQL filter keeps it.
  return Number.NaN;
}

/** PromQL of {@link rampScore} applied to every sample of `input` (an instant-vector expression). */
export function rampPromql(input: string, ramp: Ramp): string {
  const span = ramp.critical - ramp.warn;
  const capped = (score: string, cap: number) => (ramp.exclusive ? `clamp_max(${score}, ${num(cap)})` : score);
  const upToWarn = `${num(W)} * clamp_min(${input} <= ${num(ramp.warn)}, 0) / ${num(ramp.warn)}`;
  const upToCritical = `${num(W)} + ${num(C_SPAN)} * ((${input} <= ${num(ramp.critical)}) - ${num(ramp.warn)}) / ${num(span)}`;
  const above = `${num(CRITICAL)} + ${num(TOP_SPAN)} * clamp_max((${input} > ${num(ramp.critical)}) - ${num(ramp.critical)}, ${num(ramp.critical)}) / ${num(ramp.critical)}`;
  return `(${capped(upToWarn, BELOW_WARN)}) or (${capped(upToCritical, BELOW_CRITICAL)}) or (${above})`;
}
