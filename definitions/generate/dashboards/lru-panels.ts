import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  LABEL_LRU_NAME,
  LABEL_LRU_OPERATION,
  LABEL_LRU_RESULT,
  LRU_KEY_LABELS,
  LRU_METRIC_NAMES,
  LRU_OPERATION_GET,
  LRU_RESULT_HIT,
  LRU_RISK_FACTORS,
  LRU_RISK_RECORDS,
  LRU_RISK_THRESHOLDS,
} from '../../src/index.js';
import { factorDescription, forTheSame, highest, labelVariable, lowest, query, riskThresholds, thresholds, timeSeries } from './common.js';

/** The `cache` variable: the lru-cache instances of the chosen services. */
export const lruCacheVariable = (): dashboard.QueryVariableBuilder =>
  labelVariable('cache', LABEL_LRU_NAME, `${LRU_METRIC_NAMES.entries}{job=~"$job"}`, 'lru-cache');

const MATCH = `job=~"$job", ${LABEL_LRU_NAME}=~"$cache", instance=~"$node"`;
const LEGEND = `{{${LABEL_LRU_NAME}}}`;
const CACHE_KEY = LRU_KEY_LABELS.join(', ');
const perCache = (expr: string) => `sum by (${CACHE_KEY}) (${expr})`;
const getRate = (result?: string) => {
  const matchers = [`${LABEL_LRU_OPERATION}="${LRU_OPERATION_GET}"`, ...(result ? [`${LABEL_LRU_RESULT}="${result}"`] : [])];
  return perCache(`rate(${LRU_METRIC_NAMES.operations}{${MATCH}, ${matchers.join(', ')}}[$__rate_interval])`);
};

/** Panel ids on the map growth dashboard, after its map panels. A retired id is not reused. */
export const LRU_PANELS = {
  row: 101,
  hitRatio: 102,
  evictions: 103,
  entries: 104,
  size: 105,
  evictedPerEntry: 106,
  riskScore: 107,
} as const;
const P = LRU_PANELS;

/** The map-growth dashboard's row for lru-cache instances: hits, evictions, fill and risk. */
export function withLruPanels(builder: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  const churn = LRU_RISK_FACTORS.find((f) => f.reason === 'eviction_churn')!;
  const misses = LRU_RISK_FACTORS.find((f) => f.reason === 'misses_while_evicting')!;
  const { warn, critical } = LRU_RISK_THRESHOLDS.evictionChurn;
  // Max and maxSize are drawn for the caches their entries and size chose.
  const fullest = highest(perCache(`${LRU_METRIC_NAMES.entries}{${MATCH}}`));
  const largest = highest(perCache(`${LRU_METRIC_NAMES.calculatedSize}{${MATCH}}`));
  return builder
    .withRow(new dashboard.RowBuilder('lru-cache').id(P.row))
    .withPanel(
      timeSeries('Hit ratio of gets', 'percentunit')
        .id(P.hitRatio)
        .description(factorDescription(misses))
        .min(0)
        .max(1)
        .withTarget(query(lowest(`${getRate(LRU_RESULT_HIT)} / ${getRate()}`), LEGEND)),
    )
    .withPanel(
      timeSeries('Evictions per second', 'short')
        .id(P.evictions).withTarget(
        query(highest(perCache(`rate(${LRU_METRIC_NAMES.evictions}{${MATCH}}[$__rate_interval])`)), LEGEND),
      ),
    )
    .withPanel(
      timeSeries('Entries against max', 'short')
        .id(P.entries)
        .withTarget(query(fullest, `${LEGEND} entries`, 'A'))
        .withTarget(query(forTheSame(perCache(`${LRU_METRIC_NAMES.max}{${MATCH}} > 0`), CACHE_KEY, fullest), `${LEGEND} max`, 'B')),
    )
    .withPanel(
      timeSeries('Size against maxSize', 'short')
        .id(P.size)
        .description('Caches with maxSize or maxEntrySize only, in their own size units.')
        .withTarget(query(largest, `${LEGEND} size`, 'A'))
        .withTarget(query(forTheSame(perCache(`${LRU_METRIC_NAMES.maxSize}{${MATCH}} > 0`), CACHE_KEY, largest), `${LEGEND} maxSize`, 'B')),
    )
    .withPanel(
      timeSeries(`Evicted per entry in ${LRU_RISK_THRESHOLDS.window}`, 'short')
        .id(P.evictedPerEntry)
        .description(factorDescription(churn))
        .thresholds(thresholds([
          { value: null, color: 'green' },
          { value: warn, color: 'orange' },
          { value: critical, color: 'red' },
        ]))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line))
        .withTarget(query(highest(`${churn.inputRecord}{job=~"$job", ${LABEL_LRU_NAME}=~"$cache"}`), LEGEND)),
    )
    .withPanel(
      timeSeries('lru-cache risk score', 'none')
        .id(P.riskScore)
        .min(0)
        .max(100)
        .thresholds(riskThresholds())
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Area))
        .withTarget(query(highest(`${LRU_RISK_RECORDS.score}{job=~"$job", ${LABEL_LRU_NAME}=~"$cache"}`), LEGEND)),
    );
}
