import * as common from '@grafana/grafana-foundation-sdk/common';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { LABEL_GROWTH_KIND, LABEL_MAP_NAME, PROM_MAP_GROWTHS_TOTAL, RISK_LEVEL_SCORES } from '../../src/index.js';

/** The provisioned Prometheus datasource the Grafana alert rules query. */
export const PROMETHEUS_DATASOURCE_UID = 'presize-prometheus';
/** The dashboard variable choosing the Prometheus; every query of every dashboard goes through it. */
export const DATASOURCE_VARIABLE = 'datasource';
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/**
 * The import input naming the Prometheus. Grafana's import replaces `${DS_PROMETHEUS}` with the
 * datasource the user picks; a provisioned dashboard keeps the placeholder, which matches no
 * datasource, so the variable falls back to the Prometheus datasource there is.
 */
export const PROMETHEUS_INPUT = 'DS_PROMETHEUS';

export const DASHBOARD_TAGS = ['presize', 'generated'];

export function query(expr: string, legend = '', refId?: string): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder().datasource(PROMETHEUS).expr(expr).legendFormat(legend || '__auto');
  return refId ? q.refId(refId) : q;
}

export function instant(expr: string, legend = '', refId?: string): prometheus.DataqueryBuilder {
  return query(expr, legend, refId).instant().format(prometheus.PromQueryFormat.Table);
}

/** A query variable over label values, multi-select with All matching everything. */
export function labelVariable(name: string, label: string, metricSelector: string, title: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(title)
    .datasource(PROMETHEUS)
    .query(`label_values(${metricSelector}, ${label})`)
    .definition(`label_values(${metricSelector}, ${label})`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}

/** The `top` variable: how many maps, lru-caches or GPUs each per-subject panel draws. */
export const TOP_VARIABLE = 'top';
export const TOP_CHOICES = [10, 20, 50, 100] as const;
export const TOP_DEFAULT = 20;

/**
 * A per-subject panel at "All" over a fleet draws every subject: 10,000 maps made one load of the
 * map growth dashboard move over 300 MiB, more than a browser draws or a store answers in time.
 * Each such panel draws the `$top` subjects highest (or lowest) at each step instead, so what a
 * load moves is bounded by the choice, not by the fleet.
 */
export function topVariable(subjects: string): dashboard.CustomVariableBuilder {
  const current = String(TOP_DEFAULT);
  return new dashboard.CustomVariableBuilder(TOP_VARIABLE)
    .label(`Top ${subjects}`)
    .description(`Each panel draws this many ${subjects}: those with the highest values at each moment (the lowest on panels where low is what worries).`)
    .values(TOP_CHOICES.join(','))
    .current({ selected: true, text: current, value: current })
    .options(TOP_CHOICES.map((n) => ({ selected: n === TOP_DEFAULT, text: String(n), value: String(n) })));
}

/** The `$top` series of `expr` with the highest values at each step. */
export const highest = (expr: string): string => `topk($${TOP_VARIABLE}, ${expr})`;
/** The `$top` series of `expr` with the lowest values at each step. */
export const lowest = (expr: string): string => `bottomk($${TOP_VARIABLE}, ${expr})`;
/** `expr` for the subjects (matched `on` the given labels) that `chosen` draws, so that a panel's companion series follow its main one. */
export const forTheSame = (expr: string, on: string, chosen: string): string => `${expr} and on (${on}) ${chosen}`;

/** A selector of the series of any of `metrics`, for variables that list what either reports. */
export function anyOf(metrics: readonly string[], match = ''): string {
  return `{__name__=~"${metrics.join('|')}"${match ? `, ${match}` : ''}}`;
}

/** Green below warn, orange from warn, red from critical: the risk levels, from the definitions. */
export function riskThresholds(): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: RISK_LEVEL_SCORES.warn, color: 'orange' },
    { value: RISK_LEVEL_SCORES.critical, color: 'red' },
  ]);
}

export function thresholds(steps: { value: number | null; color: string }[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** The first variable of every dashboard: which Prometheus to query. */
export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Prometheus')
    .type('prometheus')
    .current({ selected: true, text: `\${${PROMETHEUS_INPUT}}`, value: `\${${PROMETHEUS_INPUT}}` });
}

export function newDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(DASHBOARD_TAGS)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable());
}

/** The URL of another Presize dashboard, keeping the time range and the chosen Prometheus. */
export function dashboardUrl(uid: string, vars: Record<string, string>): string {
  const query = Object.entries(vars).map(([name, value]) => `var-${name}=${value}`);
  return `/d/${uid}?${[...query, '${__url_time_range}', `\${${DATASOURCE_VARIABLE}:queryparam}`].join('&')}`;
}

/** A data link on a panel's values: each value links with its own series' labels. */
export function dataLink(title: string, url: string): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder(title).url(url);
}

/** A time series panel with its legend shown and every series in the tooltip. */
export function timeSeries(title: string, unit: string): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .unit(unit)
    .datasource(PROMETHEUS)
    .height(8)
    .span(12)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

/** A panel description from a risk factor: what it measures and its thresholds. */
export function factorDescription(factor: { description: string; thresholdText: string }): string {
  return `${factor.description} Thresholds: ${factor.thresholdText}.`;
}

/** An annotation at every minute in which a map (of those `match` selects) grew. */
export function growthAnnotation(match: string): dashboard.AnnotationQueryBuilder {
  const growths = `${PROM_MAP_GROWTHS_TOTAL}{${match}}`;
  // A series born in the last minute grew too, though changes() sees only one sample of it.
  const expr = `sum by (job, ${LABEL_MAP_NAME}, ${LABEL_GROWTH_KIND}) ((changes(${growths}[1m]) > 0) or (${growths} unless ${growths} offset 1m)) > 0`;
  return new dashboard.AnnotationQueryBuilder()
    .name('Map growths')
    .datasource(PROMETHEUS)
    .enable(true)
    .iconColor('orange')
    .expr(expr)
    .step('60s')
    .titleFormat(`{{${LABEL_MAP_NAME}}} grew ({{${LABEL_GROWTH_KIND}}})`)
    .textFormat('{{job}}');
}
