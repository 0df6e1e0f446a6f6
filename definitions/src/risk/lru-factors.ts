import {
  LABEL_LRU_NAME,
  LABEL_LRU_OPERATION,
  LABEL_LRU_RESULT,
  LABEL_SERVICE,
  LRU_KEY_LABELS,
  LRU_METRIC_NAMES,
  LRU_OPERATION_GET,
  LRU_RESULT_MISS,
} from '../metrics.js';
import { by, increaseSinceBirth, num, selector } from '../promql.js';
import { rampFactor, type RiskFactor } from './factor.js';

/** Every threshold of the per-cache risk of lru-cache instances. */
export const LRU_RISK_THRESHOLDS = {
  /** The window both inputs are measured over. */
  window: '5m',
  /** A cache is full from this share of its `max` (or of its `maxSize`) on. */
  fullAt: 0.9,
  /** Entries a full cache evicted in the window per entry it holds: at 1 it replaced its whole contents. */
  evictionChurn: { warn: 1, critical: 4 },
  /** Share of `get`s that missed in the window, while the cache evicted. */
  missesWhileEvicting: { warn: 0.5, critical: 0.8 },
  /** Fewer `get`s than this in the window are too few for a miss ratio. */
  minGets: 300,
} as const;

export type LruRiskReason = 'eviction_churn' | 'misses_while_evicting';

const T = LRU_RISK_THRESHOLDS;
/** Each process holds its own cache: inputs are per instance first, then the worst instance. */
const INSTANCE_KEY = [LABEL_SERVICE, 'instance', LABEL_LRU_NAME] as const;
const perInstance = (expr: string) => `sum ${by(INSTANCE_KEY)} (${expr})`;
const onInstance = `on (${INSTANCE_KEY.join(', ')})`;
const perCache = (expr: string) => `max ${by(LRU_KEY_LABELS)} (${expr})`;

const evicted = perInstance(increaseSinceBirth(LRU_METRIC_NAMES.evictions, T.window));
const full =
  `(${LRU_METRIC_NAMES.entries} >= ${num(T.fullAt)} * (${LRU_METRIC_NAMES.max} > 0))` +
  ` or (${LRU_METRIC_NAMES.calculatedSize} >= ${num(T.fullAt)} * (${LRU_METRIC_NAMES.maxSize} > 0))`;
const gets = (matchers: readonly (readonly [string, '=', string])[]) =>
  perInstance(
    increaseSinceBirth(
      selector(LRU_METRIC_NAMES.operations, [[LABEL_LRU_OPERATION, '=', LRU_OPERATION_GET], ...matchers]),
      T.window,
    ),
  );

/** The per-cache risk factors of lru-cache instances, in tie-breaking order. */
export const LRU_RISK_FACTORS: readonly RiskFactor<LruRiskReason>[] = [
  rampFactor(
    {
      reason: 'eviction_churn',
      title: 'Eviction churn',
      description:
        `Entries evicted in the last ${T.window} per entry the cache holds, while it is full (entries at ${T.fullAt * 100} % of max, or size at ${T.fullAt * 100} % of maxSize):` +
        ' a cache that replaces its whole contents within minutes is too small for its working set.',
      alert: 'PresizeLruEvictionChurn',
      for: '15m',
      inputRecord: 'presize:lru_evictions_per_entry:increase5m',
      inputExpr: perCache(`${evicted} / ${perInstance(`${LRU_METRIC_NAMES.entries} > 0`)} and ${onInstance} (${full})`),
      inputUnit: '× its entries evicted in 5m',
    },
    T.evictionChurn,
  ),
  rampFactor(
    {
      reason: 'misses_while_evicting',
      title: 'Misses while evicting',
      description:
        `Share of gets that missed in the last ${T.window}, while the cache evicted (at least ${T.minGets} gets):` +
        ' it evicts entries that are asked for again, so it is too small, or it holds keys nobody reads twice.',
      alert: 'PresizeLruMissesWhileEvicting',
      for: '15m',
      inputRecord: 'presize:lru_get_miss:ratio5m',
      inputExpr: perCache(
        `${gets([[LABEL_LRU_RESULT, '=', LRU_RESULT_MISS]])} / (${gets([])} >= ${num(T.minGets)}) and ${onInstance} (${evicted} > 0)`,
      ),
      inputUnit: 'of gets missed',
    },
    T.missesWhileEvicting,
  ),
];
