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

/**
 * One series per service that reports maps or lru-caches now. The alert reads its last hour: at
 * 10,000 maps scraped every 15 s, the raw entries of that hour are 2.4 million samples, this
 * record's of 500 services 120,000. A service that stopped before the record's first evaluation is
 * not seen as stopped; one reporting without risk recorded still is.
 */
export const TELEMETRY_REPORTING_RECORD = 'presize:telemetry_services:reporting';

const jobs = (expr: string) => `group by (job) (${expr})`;
const withCause = (expr: string, cause: keyof typeof TELEMETRY_CAUSES) =>
  `label_replace(${expr}, "${TELEMETRY_CAUSE_LABEL}", "${cause}", "", "")`;

/**
 * Without these the risk alerts are silent twice over: a service that stops reporting has no score
 * to alert on, and a Prometheus without the recording rules records none.
 */
export function telemetryRules(): RuleFile {
  const reportingNow = `${jobs(PROM_MAP_ENTRIES)} or ${jobs(PROM_LRU_ENTRIES)}`;
  const reportedRecently = `last_over_time(${TELEMETRY_REPORTING_RECORD}[${TELEMETRY_LOOKBACK}])`;
  const notRecorded =
    `(${jobs(PROM_MAP_ENTRIES)} unless on (job) ${jobs(MAP_RISK_RECORDS.score)})` +
    ` or (${jobs(PROM_LRU_ENTRIES)} unless on (job) ${jobs(LRU_RISK_RECORDS.score)})`;
  return {
    groups: [
      {
        name: 'presize-telemetry-alerts',
        rules: [
          { record: TELEMETRY_REPORTING_RECORD, expr: reportingNow },
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
