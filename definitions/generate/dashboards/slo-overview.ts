import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { BURN_RATE_ALERTS, SLO_LABELS, SLO_RECORDS } from '../../src/index.js';
import { PROMETHEUS, instant, labelVariable, newDashboard, query, thresholds, timeSeries } from './common.js';

export const SLO_DASHBOARD_UID = 'presize-slo-overview';
/** Panel ids: stable, so that links and alert rules can name a panel. A retired id is not reused. */
export const SLO_PANELS = {
  objective: 1,
  sli: 2,
  budgetRemaining: 3,
  currentBurnRate: 4,
  errorRatio: 5,
  burnRate: 6,
  budgetRemainingOverTime: 7,
  alertsFiring: 8,
} as const;
const P = SLO_PANELS;

const MATCH = `${SLO_LABELS.service}=~"$service", ${SLO_LABELS.slo}=~"$slo"`;
const LEGEND = `{{${SLO_LABELS.service}}} / {{${SLO_LABELS.slo}}}`;
const sel = (record: string) => `${record}{${MATCH}}`;

function statPanel(id: number, title: string, expr: string, unit: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .id(id)
    .title(title)
    .datasource(PROMETHEUS)
    .unit(unit)
    .decimals(3)
    .height(6)
    .span(6)
    .colorMode(common.BigValueColorMode.Value)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .withTarget(query(expr, LEGEND).instant());
}

export function sloOverviewDashboard(): dashboard.Dashboard {
  const page = BURN_RATE_ALERTS.page[0].factor;
  const ticket = BURN_RATE_ALERTS.ticket[0].factor;
  return newDashboard(SLO_DASHBOARD_UID, 'Presize / SLO overview', 'Objective, SLI, error budget and burn rates of every SLO, from Sloth-compatible recording rules.')
    .withVariable(labelVariable('service', SLO_LABELS.service, SLO_RECORDS.info, 'Service'))
    .withVariable(labelVariable('slo', SLO_LABELS.slo, `${SLO_RECORDS.info}{${SLO_LABELS.service}=~"$service"}`, 'SLO'))
    .withPanel(statPanel(P.objective, 'Objective', sel(SLO_RECORDS.objective), 'percentunit'))
    .withPanel(statPanel(P.sli, 'SLI (5m)', `1 - ${sel(SLO_RECORDS.sliError('5m'))}`, 'percentunit'))
    .withPanel(
      statPanel(P.budgetRemaining, 'Error budget remaining (30d)', sel(SLO_RECORDS.periodErrorBudgetRemaining), 'percentunit').thresholds(
        thresholds([
          { value: null, color: 'red' },
          { value: 0, color: 'orange' },
          { value: 0.25, color: 'green' },
        ]),
      ).colorMode(common.BigValueColorMode.Background),
    )
    .withPanel(
      statPanel(P.currentBurnRate, 'Current burn rate', sel(SLO_RECORDS.currentBurnRate), 'x').thresholds(
        thresholds([
          { value: null, color: 'green' },
          { value: ticket, color: 'orange' },
          { value: page, color: 'red' },
        ]),
      ),
    )
    .withPanel(
      timeSeries('Error ratio by window', 'percentunit')
        .id(P.errorRatio)
        .withTarget(query(sel(SLO_RECORDS.sliError('5m')), `${LEGEND} 5m`, 'A'))
        .withTarget(query(sel(SLO_RECORDS.sliError('1h')), `${LEGEND} 1h`, 'B'))
        .withTarget(query(sel(SLO_RECORDS.sliError('6h')), `${LEGEND} 6h`, 'C'))
        .withTarget(query(sel(SLO_RECORDS.sliError('3d')), `${LEGEND} 3d`, 'D')),
    )
    .withPanel(
      timeSeries('Burn rate', 'x')
        .id(P.burnRate)
        .description(`Page at ${page}× (1 h with 5 m), ticket at ${ticket}× (1 d with 2 h).`)
        .thresholds(thresholds([
          { value: null, color: 'green' },
          { value: ticket, color: 'orange' },
          { value: page, color: 'red' },
        ]))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line))
        .withTarget(query(sel(SLO_RECORDS.currentBurnRate), `${LEGEND} current`, 'A'))
        .withTarget(query(sel(SLO_RECORDS.periodBurnRate), `${LEGEND} 30d`, 'B')),
    )
    .withPanel(
      timeSeries('Error budget remaining (30d)', 'percentunit')
        .id(P.budgetRemainingOverTime)
        .withTarget(query(sel(SLO_RECORDS.periodErrorBudgetRemaining), LEGEND)),
    )
    .withPanel(
      new table.PanelBuilder()
        .id(P.alertsFiring)
        .title('Burn-rate alerts firing')
        .datasource(PROMETHEUS)
        .height(8)
        .span(12)
        .withTarget(instant(`ALERTS{alertstate="firing", ${MATCH}}`))
        .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, __name__: true, Value: true } } }),
    )
    .build();
}
