import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import {
  GPU_KEY_LABELS,
  GPU_RISK_FACTORS,
  GPU_RISK_RECORDS,
  LABEL_LRU_NAME,
  LABEL_MAP_NAME,
  LRU_KEY_LABELS,
  LRU_RISK_FACTORS,
  LRU_RISK_RECORDS,
  MAP_KEY_LABELS,
  MAP_RISK_FACTORS,
  MAP_RISK_RECORDS,
  PROM_LRU_ENTRIES,
  PROM_MAP_ENTRIES,
  REASON_LABEL,
  DCGM_GPU_UTIL,
  type RiskFactor,
} from '../../src/index.js';
import { PROMETHEUS, anyOf, growthAnnotation, instant, labelVariable, newDashboard, query, riskThresholds } from './common.js';
import { lruCacheVariable } from './lru-panels.js';

/**
 * One cell per subject, coloured by its score; the cell's name carries the top reason: the
 * highest factor above 0, or the bare score when every factor is 0.
 */
function cells(
  records: { factorScore: string; score: string },
  factors: readonly RiskFactor<string>[],
  key: readonly string[],
  match: string,
): string {
  const on = key.join(', ');
  const top = `topk by (${on}) (1, ${records.factorScore}{${match}} > 0)`;
  // The reason label is an identifier; the cell shows the factor's title instead.
  const titled = factors.reduce(
    (expr, f) => `label_replace(${expr}, "${REASON_LABEL}", "${f.title}", "${REASON_LABEL}", "${f.reason}")`,
    top,
  );
  return `${titled} or on (${on}) ${records.score}{${match}}`;
}

function grid(title: string, expr: string, legend: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .height(10)
    .span(24)
    .min(0)
    .max(100)
    .decimals(0)
    .thresholds(riskThresholds())
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .withTarget(query(expr, legend).instant());
}

function reasons(title: string, record: string, match: string): table.PanelBuilder {
  return new table.PanelBuilder()
    .title(title)
    .description('Every factor above 0, with its score.')
    .datasource(PROMETHEUS)
    .height(8)
    .span(12)
    .thresholds(riskThresholds())
    .withTarget(instant(`sort_desc(${record}{${match}} > 0)`))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, __name__: true } } });
}

export function riskMapDashboard(): dashboard.Dashboard {
  const mapMatch = `job=~"$job", ${LABEL_MAP_NAME}=~"$map"`;
  const gpuMatch = 'instance=~"$node"';
  const lruMatch = `job=~"$job", ${LABEL_LRU_NAME}=~"$cache"`;
  return newDashboard(
    'presize-risk-map',
    'Presize / Risk map',
    'Every map, GPU and lru-cache, coloured by risk level (the level the alerts fire on), named with its top reason.',
  )
    .withVariable(labelVariable('job', 'job', anyOf([PROM_MAP_ENTRIES, PROM_LRU_ENTRIES]), 'Service'))
    .withVariable(labelVariable('map', LABEL_MAP_NAME, `${PROM_MAP_ENTRIES}{job=~"$job"}`, 'Map'))
    .withVariable(lruCacheVariable())
    .withVariable(labelVariable('node', 'instance', DCGM_GPU_UTIL, 'GPU node'))
    .annotation(growthAnnotation(mapMatch))
    .withPanel(
      grid('Maps', cells(MAP_RISK_RECORDS, MAP_RISK_FACTORS, MAP_KEY_LABELS, mapMatch), `{{job}} · {{${LABEL_MAP_NAME}}} {{${REASON_LABEL}}}`),
    )
    .withPanel(
      grid(
        'GPUs',
        cells(GPU_RISK_RECORDS, GPU_RISK_FACTORS, GPU_KEY_LABELS, gpuMatch),
        `{{Hostname}}{{hostname}} GPU {{gpu}} {{${REASON_LABEL}}}`,
      ),
    )
    .withPanel(
      grid('lru-caches', cells(LRU_RISK_RECORDS, LRU_RISK_FACTORS, LRU_KEY_LABELS, lruMatch), `{{job}} · {{${LABEL_LRU_NAME}}} {{${REASON_LABEL}}}`),
    )
    .withPanel(reasons('Map risk factors', MAP_RISK_RECORDS.factorScore, mapMatch))
    .withPanel(reasons('GPU risk factors', GPU_RISK_RECORDS.factorScore, gpuMatch))
    .withPanel(reasons('lru-cache risk factors', LRU_RISK_RECORDS.factorScore, lruMatch))
    .build();
}
