import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import {
  increaseSinceBirth,
  LABEL_GROWTH_KIND,
  LABEL_MAP_NAME,
  LRU_METRIC_NAMES,
  MAP_METRIC_NAMES,
  MAP_RISK_FACTORS,
  MAP_RISK_RECORDS,
  MAP_RISK_THRESHOLDS,
} from '../../src/index.js';
import {
  PROMETHEUS,
  anyOf,
  factorDescription,
  forTheSame,
  growthAnnotation,
  highest,
  labelVariable,
  lowest,
  newDashboard,
  query,
  riskThresholds,
  thresholds,
  timeSeries,
  topVariable,
} from './common.js';
import { lruCacheVariable, withLruPanels } from './lru-panels.js';

export const MAP_GROWTH_DASHBOARD_UID = 'presize-map-growth';
/** Panel ids: stable, so that links and alert rules can name a panel. A retired id is not reused. */
export const MAP_GROWTH_PANELS = {
  growthsRow: 1,
  growths: 2,
  riskScore: 3,
  evacuationProgress: 4,
  growthDuration: 5,
  sizeRow: 6,
  entries: 7,
  loadFactor: 8,
  buckets: 9,
  timeToGrowth: 10,
  stallsRow: 11,
  stallHeatmap: 12,
  evacuationTime: 13,
  engineLimitUsage: 14,
  engineLimitDoublingsLeft: 15,
} as const;
const P = MAP_GROWTH_PANELS;

const MATCH = `job=~"$job", ${LABEL_MAP_NAME}=~"$map", instance=~"$node"`;
const sel = (metric: string) => `${metric}{${MATCH}}`;
const mapKey = `job, ${LABEL_MAP_NAME}`;
/** The labels that tell one map's raw series from another's: a map name can repeat across nodes. */
const seriesKey = `${mapKey}, instance`;
const ts = timeSeries;

export function mapGrowthDashboard(): dashboard.Dashboard {
  const storm = MAP_RISK_FACTORS.find((f) => f.reason === 'resize_storm')!;
  const stall = MAP_RISK_FACTORS.find((f) => f.reason === 'evacuation_stall')!;
  const limit = MAP_RISK_FACTORS.find((f) => f.reason === 'engine_limit')!;
  // Services and nodes with maps, lru-caches or both.
  const reporting = [MAP_METRIC_NAMES.entries, LRU_METRIC_NAMES.entries];
  // Panels with companion series draw them for the maps their main series chose.
  // Progress is 1 when no growth is in progress: the lowest are the maps evacuating.
  const evacuating = lowest(sel(MAP_METRIC_NAMES.evacuationProgress));
  const largest = highest(sel(MAP_METRIC_NAMES.entries));
  const mostBuckets = highest(sel(MAP_METRIC_NAMES.buckets));
  const growth = newDashboard(
    MAP_GROWTH_DASHBOARD_UID,
    'Presize / Map growth',
    'Growths, evacuation, entries against hint, load factor and stalls of every presized and observed native map; hits, evictions and fill of every lru-cache.',
  )
    .withVariable(labelVariable('job', 'job', anyOf(reporting), 'Service'))
    .withVariable(labelVariable('map', LABEL_MAP_NAME, `${MAP_METRIC_NAMES.entries}{job=~"$job"}`, 'Map'))
    .withVariable(labelVariable('node', 'instance', anyOf(reporting, 'job=~"$job"'), 'Node'))
    .withVariable(lruCacheVariable())
    .withVariable(topVariable('maps and lru-caches'))
    .annotation(growthAnnotation(MATCH))
    .withRow(new dashboard.RowBuilder('Growths').id(P.growthsRow))
    .withPanel(
      ts('Growths per 5 minutes', 'short')
        .id(P.growths)
        .description(factorDescription(storm))
        .withTarget(query(highest(`sum by (${mapKey}, ${LABEL_GROWTH_KIND}) (${increaseSinceBirth(sel(MAP_METRIC_NAMES.growths), '5m')})`), `{{${LABEL_MAP_NAME}}} {{${LABEL_GROWTH_KIND}}}`))
        .drawStyle(common.GraphDrawStyle.Bars),
    )
    .withPanel(
      ts('Risk score', 'none')
        .id(P.riskScore)
        .min(0)
        .max(100)
        .thresholds(riskThresholds())
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Area))
        .withTarget(query(highest(`${MAP_RISK_RECORDS.score}{job=~"$job", ${LABEL_MAP_NAME}=~"$map"}`), `{{${LABEL_MAP_NAME}}}`)),
    )
    .withPanel(
      ts('Evacuation progress', 'percentunit')
        .id(P.evacuationProgress)
        .min(0)
        .max(1)
        .withTarget(query(evacuating, `{{${LABEL_MAP_NAME}}} {{instance}}`))
        .withTarget(query(forTheSame(sel(MAP_METRIC_NAMES.growing), seriesKey, evacuating), `{{${LABEL_MAP_NAME}}} growing`, 'B')),
    )
    .withPanel(
      ts('Growth duration p95', 's')
        .id(P.growthDuration).withTarget(
        query(
          highest(`histogram_quantile(0.95, sum by (${mapKey}, le) (rate(${sel(`${MAP_METRIC_NAMES.growthDuration}_bucket`)}[$__rate_interval])))`),
          `{{${LABEL_MAP_NAME}}}`,
        ),
      ),
    )
    .withRow(new dashboard.RowBuilder('Size').id(P.sizeRow))
    .withPanel(
      ts('Entries against hint and next growth', 'short')
        .id(P.entries)
        .withTarget(query(largest, `{{${LABEL_MAP_NAME}}} entries`, 'A'))
        .withTarget(query(forTheSame(`${sel(MAP_METRIC_NAMES.hint)} > 0`, seriesKey, largest), `{{${LABEL_MAP_NAME}}} hint`, 'B'))
        .withTarget(query(forTheSame(sel(MAP_METRIC_NAMES.nextGrowthAt), seriesKey, largest), `{{${LABEL_MAP_NAME}}} next growth at`, 'C')),
    )
    .withPanel(
      ts('Load factor', 'short')
        .id(P.loadFactor)
        .description('Entries per main bucket; a doubling starts above 6.5.')
        .withTarget(query(highest(sel(MAP_METRIC_NAMES.loadFactor)), `{{${LABEL_MAP_NAME}}} {{instance}}`)),
    )
    .withPanel(
      ts('Buckets and overflow buckets', 'short')
        .id(P.buckets)
        .withTarget(query(mostBuckets, `{{${LABEL_MAP_NAME}}} buckets`, 'A'))
        .withTarget(query(forTheSame(sel(MAP_METRIC_NAMES.overflowBuckets), seriesKey, mostBuckets), `{{${LABEL_MAP_NAME}}} overflow`, 'B')),
    )
    .withPanel(
      ts('Time to next growth', 's')
        .id(P.timeToGrowth)
        .description('At the current insert rate, for large maps.')
        .withTarget(query(lowest(`presize:map_growth_eta:seconds{job=~"$job", ${LABEL_MAP_NAME}=~"$map"}`), `{{${LABEL_MAP_NAME}}}`)),
    )
    .withPanel(
      ts('Native Map and Set: entries over the engine limit', 'percentunit')
        .id(P.engineLimitUsage)
        .description(factorDescription(limit))
        .min(0)
        .max(1)
        .thresholds(
          thresholds([
            { value: null, color: 'green' },
            { value: MAP_RISK_THRESHOLDS.engineLimit.warn, color: 'orange' },
            { value: MAP_RISK_THRESHOLDS.engineLimit.critical, color: 'red' },
          ]),
        )
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line))
        .withTarget(query(highest(sel(MAP_METRIC_NAMES.engineLimitUsage)), `{{${LABEL_MAP_NAME}}} {{instance}}`)),
    )
    .withPanel(
      ts('Native Map and Set: table doublings left before the engine limit', 'short')
        .id(P.engineLimitDoublingsLeft)
        .description('At 0 the table cannot double again: the insert that fills it throws RangeError (maximum size exceeded).')
        .min(0)
        .decimals(0)
        .withTarget(query(lowest(sel(MAP_METRIC_NAMES.engineLimitDoublingsLeft)), `{{${LABEL_MAP_NAME}}} {{instance}}`)),
    )
    .withRow(new dashboard.RowBuilder('Stalls').id(P.stallsRow))
    .withPanel(
      new heatmap.PanelBuilder()
        .id(P.stallHeatmap)
        .title('Evacuation stall per write')
        .description('How long each write that did evacuation work was held up.')
        .datasource(PROMETHEUS)
        .height(8)
        .span(12)
        .withTarget(
          query(`sum by (le) (increase(${sel(`${MAP_METRIC_NAMES.evacuationStall}_bucket`)}[$__rate_interval]))`, '{{le}}').format(
            prometheus.PromQueryFormat.Heatmap,
          ),
        )
        .calculate(false),
    )
    .withPanel(
      ts('Evacuation time per second, and stall p99', 's')
        .id(P.evacuationTime)
        .description(factorDescription(stall))
        .withTarget(query(highest(`${stall.inputRecord}{job=~"$job", ${LABEL_MAP_NAME}=~"$map"}`), `{{${LABEL_MAP_NAME}}} s/s`, 'A'))
        .withTarget(
          query(
            highest(`histogram_quantile(0.99, sum by (${mapKey}, le) (rate(${sel(`${MAP_METRIC_NAMES.evacuationStall}_bucket`)}[$__rate_interval])))`),
            `{{${LABEL_MAP_NAME}}} p99`,
            'B',
          ),
        ),
    );
  return withLruPanels(growth).build();
}
