/** Risk levels shared by the risk map, the recording rules and the alerts. */
export type RiskLevel = 'ok' | 'warn' | 'critical';

/** Scores at or above these are `warn` and `critical`. Scores run from 0 to 100. */
export const RISK_LEVEL_SCORES = { warn: 50, critical: 80 } as const;

/** The numeric value recorded for each level in `presize:*_risk:level` (0, 1, 2). */
export const RISK_LEVEL_VALUES: Readonly<Record<RiskLevel, number>> = { ok: 0, warn: 1, critical: 2 };

/** The Prometheus/Grafana alert `severity` label for a level that fires. */
export const RISK_LEVEL_SEVERITY = { warn: 'warning', critical: 'critical' } as const;

export function levelForScore(score: number): RiskLevel {
  if (score >= RISK_LEVEL_SCORES.critical) return 'critical';
  if (score >= RISK_LEVEL_SCORES.warn) return 'warn';
  return 'ok';
}

export function levelFromValue(value: number): RiskLevel {
  if (value >= 2) return 'critical';
  if (value >= 1) return 'warn';
  return 'ok';
}
