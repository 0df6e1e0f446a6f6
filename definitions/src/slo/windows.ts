/**
 * Multi-window multi-burn-rate alerting (the SRE workbook's table, as Sloth generates it for a
 * 30-day period): an alert fires when both the long and the short window burn faster than factor.
 */
export const SLO_PERIOD_DAYS = 30;
export const SLO_PERIOD_WINDOW = '30d';

/** The rate windows Sloth records `slo:sli_error:ratio_rate<window>` for; 30d is derived from 5m as well. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
/** The one window read from raw series; every other window is built from its recorded values. */
export const SLI_BASE_WINDOW = SLI_WINDOWS[0];
export type SliWindow = (typeof SLI_WINDOWS)[number] | typeof SLO_PERIOD_WINDOW;

export interface BurnRateCondition {
  readonly factor: number;
  readonly long: SliWindow;
  readonly short: SliWindow;
}

export type SloSeverity = 'page' | 'ticket';

export const BURN_RATE_ALERTS: Readonly<Record<SloSeverity, readonly [BurnRateCondition, BurnRateCondition]>> = {
  page: [
    { factor: 14.4, long: '1h', short: '5m' },
    { factor: 6, long: '6h', short: '30m' },
  ],
  ticket: [
    { factor: 3, long: '1d', short: '2h' },
    { factor: 1, long: '3d', short: '6h' },
  ],
};
