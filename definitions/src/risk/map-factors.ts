import {
  GROWTH_KIND_DOUBLE,
  GROWTH_KIND_SAME_SIZE,
  GROWTH_KIND_V8_REHASH,
  GROWTH_TRIGGER_V8_CAPACITY,
  LABEL_GROWTH_KIND,
  LABEL_GROWTH_TRIGGER,
  MAP_KEY_LABELS,
  MAP_METRIC_NAMES,
} from '../metrics.js';
import { by, increaseSinceBirth, num, selector } from '../promql.js';
import { rampFactor, timeLeftFactor, type RiskFactor } from './factor.js';

/** Every threshold of the per-map risk, in the unit of its input. */
export const MAP_RISK_THRESHOLDS = {
  /** Doublings of one map within 5 minutes. */
  resizeStorm: { warn: 3, critical: 6 },
  /** Fraction of the last 5 minutes the map spent mid-growth: growths back to back. */
  backToBackGrowth: { warn: 0.5, critical: 0.9 },
  /** Entries per entry of capacity hint: above 2 (not at 2) the hint was wrong. */
  hintExceeded: { warn: 2, critical: 8, exclusive: true },
  /** Seconds until the next doubling at the current insert rate, for maps of `minEntries` or more. */
  growthImminent: { warn: 900, critical: 120, minEntries: 50_000, rateWindow: '10m' },
  /** Seconds spent evacuating per second of wall time. */
  evacuationStall: { warn: 0.01, critical: 0.05 },
  /** Same-size growths (overflow clean-ups after delete churn) within an hour. */
  sameSizeGrowth: { warn: 3, critical: 12 },
  /**
   * Entries of a native Map or Set over the engine's limit (16,777,216 in V8). From half of it
   * the table has made its last doubling: one more doubling of the data throws. At three
   * quarters, half of that last table is used up.
   */
  engineLimit: { warn: 0.5, critical: 0.75 },
} as const;

export type MapRiskReason =
  | 'resize_storm'
  | 'back_to_back_growth'
  | 'hint_exceeded'
  | 'growth_imminent'
  | 'evacuation_stall'
  | 'same_size_growth'
  | 'engine_limit';

const perMap = (aggregation: 'max' | 'min', expr: string) => `${aggregation} ${by(MAP_KEY_LABELS)} (${expr})`;
type Matcher = readonly [string, '=', string];
/** Growths of one map over a window, of the growth series any of `kinds` selects. */
const growthsOf = (kinds: readonly (readonly Matcher[])[], window: string) =>
  `sum without (${LABEL_GROWTH_TRIGGER}, ${LABEL_GROWTH_KIND}) (${kinds
    .map((matchers) => increaseSinceBirth(selector(MAP_METRIC_NAMES.growths, matchers), window))
    .join(' or ')})`;
/**
 * Growths that double the table: a presized map's doublings, and a native `Map`'s rebuilds because
 * its table was full. A native rebuild after deletes keeps its capacity: not a doubling.
 */
const DOUBLINGS: readonly (readonly Matcher[])[] = [
  [[LABEL_GROWTH_KIND, '=', GROWTH_KIND_DOUBLE]],
  [
    [LABEL_GROWTH_KIND, '=', GROWTH_KIND_V8_REHASH],
    [LABEL_GROWTH_TRIGGER, '=', GROWTH_TRIGGER_V8_CAPACITY],
  ],
];
const T = MAP_RISK_THRESHOLDS;

/** The per-map risk factors, in tie-breaking order: on equal scores the earlier one is the top reason. */
export const MAP_RISK_FACTORS: readonly RiskFactor<MapRiskReason>[] = [
  rampFactor(
    {
      reason: 'resize_storm',
      title: 'Resize storm',
      description:
        'Doublings in the last 5 minutes (of native Maps too: table rebuilds at twice the capacity): each one allocates a new table and moves every entry.',
      alert: 'PresizeMapResizeStorm',
      for: '1m',
      inputRecord: 'presize:map_doublings:increase5m',
      inputExpr: perMap('max', growthsOf(DOUBLINGS, '5m')),
      inputUnit: 'doublings in 5m',
    },
    T.resizeStorm,
  ),
  rampFactor(
    {
      reason: 'back_to_back_growth',
      title: 'Growths back to back',
      description: 'Fraction of the last 5 minutes the map was mid-growth: one evacuation ends and the next starts.',
      alert: 'PresizeMapGrowingBackToBack',
      for: '5m',
      inputRecord: 'presize:map_growing:avg5m',
      inputExpr: perMap('max', `avg_over_time(${MAP_METRIC_NAMES.growing}[5m])`),
      inputUnit: 'of the time',
    },
    T.backToBackGrowth,
  ),
  rampFactor(
    {
      reason: 'hint_exceeded',
      title: 'Far past its hint',
      description: 'Entries per entry of capacity hint: the map was sized for far fewer keys than it holds.',
      alert: 'PresizeMapHintExceeded',
      for: '10m',
      inputRecord: 'presize:map_entries_per_hint:ratio',
      inputExpr: perMap('max', `${MAP_METRIC_NAMES.entries} / (${MAP_METRIC_NAMES.hint} > 0)`),
      inputUnit: '× hint',
    },
    T.hintExceeded,
  ),
  timeLeftFactor(
    {
      reason: 'growth_imminent',
      title: 'Growth imminent',
      description: `Seconds until a map of ${T.growthImminent.minEntries} entries or more reaches its next growth point at the current insert rate.`,
      alert: 'PresizeMapGrowthImminent',
      // Time left shrinks by a second per second: a level held for minutes would be past the growth.
      for: '0m',
      inputRecord: 'presize:map_growth_eta:seconds',
      inputExpr: perMap(
        'min',
        `((${MAP_METRIC_NAMES.nextGrowthAt} - ${MAP_METRIC_NAMES.entries}) > 0)` +
          ` / (deriv(${MAP_METRIC_NAMES.entries}[${T.growthImminent.rateWindow}]) > 0)` +
          ` and ${MAP_METRIC_NAMES.entries} >= ${num(T.growthImminent.minEntries)}`,
      ),
      inputUnit: 's',
    },
    T.growthImminent,
  ),
  rampFactor(
    {
      reason: 'evacuation_stall',
      title: 'Evacuation stalls',
      description:
        'Seconds of evacuation work per second of wall time: time writes spent moving buckets instead of serving.',
      alert: 'PresizeMapEvacuationStall',
      for: '5m',
      inputRecord: 'presize:map_evacuation_stall:rate5m',
      inputExpr: perMap('max', `(${increaseSinceBirth(`${MAP_METRIC_NAMES.evacuationStall}_sum`, '5m')}) / 300`),
      inputUnit: 's/s',
    },
    T.evacuationStall,
  ),
  rampFactor(
    {
      reason: 'same_size_growth',
      title: 'Same-size growths',
      description:
        'Same-size growths in the last hour: overflow buckets piling up from delete churn, cleaned by a full rehash.',
      alert: 'PresizeMapSameSizeGrowth',
      for: '0m',
      inputRecord: 'presize:map_same_size_growths:increase1h',
      inputExpr: perMap('max', growthsOf([[[LABEL_GROWTH_KIND, '=', GROWTH_KIND_SAME_SIZE]]], '1h')),
      inputUnit: 'same-size growths in 1h',
    },
    T.sameSizeGrowth,
  ),
  rampFactor(
    {
      reason: 'engine_limit',
      title: 'Near the engine limit',
      description:
        'Entries of a native Map or Set over the most the engine lets it hold: past the limit the next insert throws RangeError (Map maximum size exceeded) and the service fails.',
      alert: 'PresizeMapNearEngineLimit',
      // Entries rarely fall back by themselves, and the cost of waiting is a crash.
      for: '0m',
      inputRecord: 'presize:map_engine_limit_usage:ratio',
      inputExpr: perMap('max', MAP_METRIC_NAMES.engineLimitUsage),
      inputUnit: 'of the engine limit',
    },
    T.engineLimit,
  ),
];
