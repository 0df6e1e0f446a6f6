/**
 * SLO results from Sloth's recording rules: the SLI over the period, the error budget left, the burn
 * rate of every alert window and which multi-window multi-burn-rate alert holds.
 */
import {
  burnRate,
  filterSelector as selector,
  errorBudgetRemaining,
  SLI_WINDOWS,
  SLO_LABELS,
  SLO_PERIOD_WINDOW,
  SLO_RECORDS,
  sloStatus as burnRateStatus,
  type SliWindow,
} from '@presize/definitions';

import type { InstantSample, Labels } from './prometheus-api';
import { labelFilter, type Selection } from './scope';

export const SLOTH_LABELS = SLO_LABELS;
export const SLOTH_OBJECTIVE = SLO_RECORDS.objective;

export const SLO_WINDOWS: readonly SliWindow[] = [...SLI_WINDOWS, SLO_PERIOD_WINDOW];

/** The burn-rate alert that holds, or why none can: the budget is spent, or there is no data. */
export type SloStatus = 'ok' | 'ticket' | 'page' | 'exhausted' | 'no data';

export interface SloRow {
  service: string;
  slo: string;
  /** Objective as a ratio, 0.9995 for 99.95 %. */
  objective: number;
  /** Good-event ratio over the period (30 days), NaN without data. */
  sli: number;
  /** Error budget left over the period: 1 is untouched, 0 spent, below 0 overspent. */
  budgetRemaining: number;
  /** Burn rate by window: 1 spends the budget exactly over the period. */
  burnRates: Partial<Record<SliWindow, number>>;
  status: SloStatus;
}

export interface SloScope {
  services: Selection;
  slos: Selection;
}

export function sloQueries(scope: SloScope): { objective: string; errors: Array<{ window: SliWindow; expr: string }> } {
  const filters = [labelFilter(SLOTH_LABELS.service, scope.services), labelFilter(SLOTH_LABELS.slo, scope.slos)];
  return {
    objective: selector(SLOTH_OBJECTIVE, filters),
    errors: SLO_WINDOWS.map((window) => ({ window, expr: selector(SLO_RECORDS.sliError(window), filters) })),
  };
}

/** The objective as Sloth's percentage (99.95) from `slo:objective:ratio` (0.9995), without binary noise. */
export function objectivePercent(ratio: number): number {
  return Number((ratio * 100).toPrecision(12));
}

export function sloStatus(errorRatios: Partial<Record<SliWindow, number>>, objective: number): SloStatus {
  const known = Object.values(errorRatios).filter((v) => v !== undefined && !Number.isNaN(v));
  if (known.length === 0) {
    return 'no data';
  }
  const alert = burnRateStatus(errorRatios, objective);
  if (alert !== 'ok') {
    return alert;
  }
  const period = errorRatios[SLO_PERIOD_WINDOW];
  if (period !== undefined && errorBudgetRemaining(period, objective) <= 0) {
    return 'exhausted';
  }
  return 'ok';
}

const sloKey = (labels: Labels) => `${labels[SLOTH_LABELS.service] ?? ''}\u0000${labels[SLOTH_LABELS.slo] ?? ''}`;

export function sloRows(
  objectives: readonly InstantSample[],
  errors: Partial<Record<SliWindow, readonly InstantSample[]>>
): SloRow[] {
  const byWindow = new Map<SliWindow, Map<string, number>>(
    SLO_WINDOWS.map((w) => [w, new Map((errors[w] ?? []).map((s) => [sloKey(s.labels), s.value]))])
  );
  return objectives
    .map((sample) => {
      const k = sloKey(sample.labels);
      const objective = objectivePercent(sample.value);
      const errorRatios: Partial<Record<SliWindow, number>> = {};
      const burnRates: Partial<Record<SliWindow, number>> = {};
      for (const w of SLO_WINDOWS) {
        const ratio = byWindow.get(w)?.get(k);
        if (ratio !== undefined) {
          errorRatios[w] = ratio;
          burnRates[w] = burnRate(ratio, objective);
        }
      }
      const periodRatio = errorRatios[SLO_PERIOD_WINDOW] ?? Number.NaN;
      return {
        service: sample.labels[SLOTH_LABELS.service] ?? '',
        slo: sample.labels[SLOTH_LABELS.slo] ?? '',
        objective: sample.value,
        sli: 1 - periodRatio,
        budgetRemaining: errorBudgetRemaining(periodRatio, objective),
        burnRates,
        status: sloStatus(errorRatios, objective),
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.slo.localeCompare(b.slo));
}
