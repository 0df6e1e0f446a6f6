import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
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
  RISK_LEVEL_VALUES,
  type RiskFactor,
  type RiskLevel,
} from '../../src/index.js';
import {
  PROMETHEUS,
  anyOf,
  dashboardUrl,
  dataLink,
  growthAnnotation,
  highest,
  instant,
  labelVariable,
  newDashboard,
  query,
  riskThresholds,
  topVariable,
} from './common.js';
import { GPU_DASHBOARD_UID } from './gpu.js';
import { lruCacheVariable } from './lru-panels.js';
import { MAP_GROWTH_DASHBOARD_UID } from './map-growth.js';

export const RISK_MAP_DASHBOARD_UID = 'presize-risk-map';
/** Panel ids: stable, so that links and alert rules can name a panel. A retired id is not reused. */
export const RISK_MAP_PANELS = {
  maps: 1,
  gpus: 2,
  lruCaches: 3,
  mapFactors: 4,
  gpuFactors: 5,
  lruFactors: 6,
  levelOverTime: 7,
} as const;

const field = (label: string) => `\${__field.labels.${label}}`;
const LEVEL_COLOURS: Record<RiskLevel, string> = { ok: 'green', warn: 'orange', critical: 'red' };

/**
 * One cell per subject, coloured by its score; the cell's name carries the top reason: the
 * highest factor above 0, or the bare score when every factor is 0. The `$top` highest-scoring
 * subjects get a cell.
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
  return highest(`${titled} or on (${on}) ${records.score}{${match}}`);
}

function grid(id: number, title: string, expr: string, legend: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .id(id)
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

function reasons(id: number, title: string, record: string, match: string): table.PanelBuilder {
  return new table.PanelBuilder()
    .id(id)
    .title(title)
    .description('The `$top` highest factor scores above 0.')
    .datasource(PROMETHEUS)
    .height(8)
    .span(12)
    .thresholds(riskThresholds())
    .withTarget(instant(`sort_desc(${highest(`${record}{${match}} > 0`)})`))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, __name__: true } } });
}

/**
 * The risk level of subjects over time, one row each: which map, lru-cache or GPU turned red
 * when. Reads the recorded levels (0 ok, 1 warn, 2 critical), the `$top` highest of each kind at
 * each step.
 */
function levelOverTime(mapMatch: string, gpuMatch: string, lruMatch: string): statetimeline.PanelBuilder {
  const levels = Object.entries(RISK_LEVEL_VALUES) as [RiskLevel, number][];
  return new statetimeline.PanelBuilder()
    .id(RISK_MAP_PANELS.levelOverTime)
    .title('Risk level over time')
    .description('The level each map, lru-cache and GPU was at, the `$top` highest of each kind at each moment: the level its alerts fire on.')
    .datasource(PROMETHEUS)
    .height(12)
    .span(24)
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8)
    .mappings([
      {
        type: dashboard.MappingType.ValueToText,
        options: Object.fromEntries(
          levels.map(([level, value], index) => [String(value), { text: level, color: LEVEL_COLOURS[level], index }]),
        ),
      },
    ])
    .thresholds(riskThresholds())
    .withTarget(query(highest(`${MAP_RISK_RECORDS.level}{${mapMatch}}`), `map {{${LABEL_MAP_NAME}}} · {{job}}`, 'A'))
    .withTarget(query(highest(`${LRU_RISK_RECORDS.level}{${lruMatch}}`), `lru-cache {{${LABEL_LRU_NAME}}} · {{job}}`, 'B'))
    .withTarget(query(highest(`${GPU_RISK_RECORDS.level}{${gpuMatch}}`), 'GPU {{gpu}} · {{Hostname}}{{hostname}}', 'C'));
}

export function riskMapDashboard(): dashboard.Dashboard {
  const mapMatch = `job=~"$job", ${LABEL_MAP_NAME}=~"$map"`;
  const gpuMatch = 'instance=~"$node"';
  const lruMatch = `job=~"$job", ${LABEL_LRU_NAME}=~"$cache"`;
  return newDashboard(
    RISK_MAP_DASHBOARD_UID,
    'Presize / Risk map',
    'The highest-scoring maps, GPUs and lru-caches, coloured by risk level (the level the alerts fire on), named with their top reason.',
  )
    .withVariable(topVariable('subjects of each kind'))
    .withVariable(labelVariable('job', 'job', anyOf([PROM_MAP_ENTRIES, PROM_LRU_ENTRIES]), 'Service'))
    .withVariable(labelVariable('map', LABEL_MAP_NAME, `${PROM_MAP_ENTRIES}{job=~"$job"}`, 'Map'))
    .withVariable(lruCacheVariable())
    .withVariable(labelVariable('node', 'instance', DCGM_GPU_UTIL, 'GPU node'))
    .annotation(growthAnnotation(mapMatch))
    .withPanel(
      grid(RISK_MAP_PANELS.maps, 'Maps', cells(MAP_RISK_RECORDS, MAP_RISK_FACTORS, MAP_KEY_LABELS, mapMatch), `{{job}} · {{${LABEL_MAP_NAME}}} {{${REASON_LABEL}}}`)
        .description('Each map links to its growth panels.')
        .dataLinks([
          dataLink('Growth of this map', dashboardUrl(MAP_GROWTH_DASHBOARD_UID, { job: field('job'), map: field(LABEL_MAP_NAME) })),
        ]),
    )
    .withPanel(
      grid(
        RISK_MAP_PANELS.gpus,
        'GPUs',
        cells(GPU_RISK_RECORDS, GPU_RISK_FACTORS, GPU_KEY_LABELS, gpuMatch),
        `{{Hostname}}{{hostname}} GPU {{gpu}} {{${REASON_LABEL}}}`,
      )
        .description('Each GPU links to its panels on the GPU dashboard.')
        .dataLinks([
          dataLink(
            'Panels of this GPU',
            dashboardUrl(GPU_DASHBOARD_UID, { job: field('job'), node: field('instance'), gpu: field('gpu') }),
          ),
        ]),
    )
    .withPanel(
      grid(RISK_MAP_PANELS.lruCaches, 'lru-caches', cells(LRU_RISK_RECORDS, LRU_RISK_FACTORS, LRU_KEY_LABELS, lruMatch), `{{job}} · {{${LABEL_LRU_NAME}}} {{${REASON_LABEL}}}`)
        .description('Each lru-cache links to its panels on the map growth dashboard.')
        .dataLinks([
          dataLink('Panels of this lru-cache', dashboardUrl(MAP_GROWTH_DASHBOARD_UID, { job: field('job'), cache: field(LABEL_LRU_NAME) })),
        ]),
    )
    .withPanel(levelOverTime(mapMatch, gpuMatch, lruMatch))
    .withPanel(reasons(RISK_MAP_PANELS.mapFactors, 'Map risk factors', MAP_RISK_RECORDS.factorScore, mapMatch))
    .withPanel(reasons(RISK_MAP_PANELS.gpuFactors, 'GPU risk factors', GPU_RISK_RECORDS.factorScore, gpuMatch))
    .withPanel(reasons(RISK_MAP_PANELS.lruFactors, 'lru-cache risk factors', LRU_RISK_RECORDS.factorScore, lruMatch))
    .build();
}
