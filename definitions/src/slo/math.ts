import { BURN_RATE_ALERTS, type SliWindow, type SloSeverity } from './windows.js';

/**
 * SLO arithmetic on plain numbers, equal to what the generated recording rules compute.
 * `objective` is a percentage (99.95), as in the Sloth spec.
 */

/** `slo:objective:ratio`. */
export function objectiveRatio(objective: number): number {
  return objective / 100;
}

/** `slo:error_budget:ratio`: the error ratio the objective allows. */
export function errorBudgetRatio(objective: number): number {
  return 1 - objectiveRatio(objective);
}

/** The error budget the burn-rate alerts compare against (Sloth computes it as (100 - objective) / 100). */
export function alertErrorBudget(objective: number): number {
  return (100 - objective) / 100;
}

/** `slo:current_burn_rate:ratio` from the 5m error ratio, `slo:period_burn_rate:ratio` from the 30d one. */
export function burnRate(errorRatio: number, objective: number): number {
  return errorRatio / errorBudgetRatio(objective);
}

/** `slo:period_error_budget_remaining:ratio`: 1 is untouched, 0 spent, negative overspent. */
export function errorBudgetRemaining(periodErrorRatio: number, objective: number): number {
  return 1 - burnRate(periodErrorRatio, objective);
}

/** Error ratios by window (`slo:sli_error:ratio_rate<window>`); a missing window never fires. */
export type WindowErrorRatios = Partial<Record<SliWindow, number>>;

/** Whether the page or ticket alert of an SLO fires on these error ratios. */
export function burnRateAlertFires(severity: SloSeverity, ratios: WindowErrorRatios, objective: number): boolean {
  const budget = alertErrorBudget(objective);
  return BURN_RATE_ALERTS[severity].some(({ factor, long, short }) => {
    const l = ratios[long];
    const s = ratios[short];
    return l !== undefined && s !== undefined && l > factor * budget && s > factor * budget;
  });
}

export type SloStatus = 'ok' | 'ticket' | 'page';

/** The most severe burn-rate alert firing on these ratios. */
export function sloStatus(ratios: WindowErrorRatios, objective: number): SloStatus {
  if (burnRateAlertFires('page', ratios, objective)) return 'page';
  if (burnRateAlertFires('ticket', ratios, objective)) return 'ticket';
  return 'ok';
}
