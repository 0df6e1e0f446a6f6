import { PROM_LRU_ENTRIES, PROM_MAP_ENTRIES } from '../metrics.js';
import { RISK_LEVEL_SEVERITY } from '../risk/levels.js';
import { LRU_RISK_RECORDS, MAP_RISK_RECORDS } from '../risk/scores.js';
import type { RuleFile } from './types.js';

/** Fires for an instrumented service whose Presize telemetry, or risk derived from it, is missing. */
export const TELEMETRY_ALERT = 'PresizeTelemetryMissing';
/** How far back a service counts as instrumented: it reported maps or lru-caches within this window. */
export const TELEMETRY_LOOKBACK = '1h';
export const TELEMETRY_FOR = '10m';
/** The label telling why telemetry is missing, and its values. */
export const TELEMETRY_CAUSE_LABEL = 'cause';
export const TELEMETRY_CAUSES = {
  stopped_reporting: `the service reported maps or lru-caches in the last ${TELEMETRY_LOOKBACK} and reports none now (stopped, no longer scraped, or no longer instrumented)`,
  risk_not_recorded:
    'the service reports maps or lru-caches, but no risk is recorded for them (the recording rules are not loaded or fail)',
} as const;

const jobs = (expr: string) => `group by (job) (${expr})`;
const withCause = (expr: string, cause: keyof typeof TELEMETRY_CAUSES) =>
  `label_replace(${expr}, "${TELEMETRY_CAUSE_LABEL}", "${cause}", "", "")`;

/**
 * Without these the risk alerts are silent twice over: a service that stops reporting has no score
 * to alert on, and a Prometheus without the recording rules records none.
 */
export function telemetryRules(): RuleFile {
  const reportedRecently = `${jobs(`last_over_time(${PROM_MAP_ENTRIES}[${TELEMETRY_LOOKBACK}])`)} or ${jobs(`last_over_time(${PROM_LRU_ENTRIES}[${TELEMETRY_LOOKBACK}])`)}`;
  const reportingNow = `${jobs(PROM_MAP_ENTRIES)} or ${jobs(PROM_LRU_ENTRIES)}`;
  const notRecorded =
    `(${jobs(PROM_MAP_ENTRIES)} unless on (job) ${jobs(MAP_RISK_RECORDS.score)})` +
    ` or (${jobs(PROM_LRU_ENTRIES)} unless on (job) ${jobs(LRU_RISK_RECORDS.score)})`;
  return {
    groups: [
      {
        name: 'presize-telemetry-alerts',
        rules: [
          {
            alert: TELEMETRY_ALERT,
            expr:
              `${withCause(`(${reportedRecently}) unless on (job) (${reportingNow})`, 'stopped_reporting')}` +
              ` or ${withCause(`(${notRecorded})`, 'risk_not_recorded')}`,
            for: TELEMETRY_FOR,
            labels: { severity: RISK_LEVEL_SEVERITY.warn },
            annotations: {
              summary: `Presize telemetry missing ({{ $labels.${TELEMETRY_CAUSE_LABEL} }}): {{ $labels.job }}`,
              description:
                `No risk alert can fire for this service. stopped_reporting: ${TELEMETRY_CAUSES.stopped_reporting}; ` +
                `risk_not_recorded: ${TELEMETRY_CAUSES.risk_not_recorded}.`,
            },
          },
        ],
      },
    ],
  };
}
