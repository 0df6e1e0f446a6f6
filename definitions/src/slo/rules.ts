import { escapeLabelValue, num } from '../promql.js';
import type { AlertingRule, RecordingRule, RuleFile, RuleGroup } from '../rules/types.js';
import { alertErrorBudget, objectiveRatio } from './math.js';
import { WINDOW_PLACEHOLDER, type SlothAlert, type SlothSlo, type SlothSpec } from './spec.js';
import { BURN_RATE_ALERTS, SLI_WINDOWS, SLO_PERIOD_DAYS, SLO_PERIOD_WINDOW, type SloSeverity } from './windows.js';

/** Record names, labels and mode label as Sloth writes them, so its dashboards read ours. */
export const SLO_RECORDS = {
  sliError: (window: string) => `slo:sli_error:ratio_rate${window}`,
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  timePeriodDays: 'slo:time_period:days',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
  periodErrorBudgetRemaining: 'slo:period_error_budget_remaining:ratio',
  info: 'sloth_slo_info',
} as const;

export const SLO_LABELS = {
  id: 'sloth_id',
  service: 'sloth_service',
  slo: 'sloth_slo',
  window: 'sloth_window',
  severity: 'sloth_severity',
} as const;

export interface SloRuleOptions {
  /** `sloth_version` on `sloth_slo_info`. */
  version: string;
}

export const sloId = (service: string, slo: string): string => `${service}-${slo}`;

function sliExpr(slo: SlothSlo, window: string): string {
  const at = (q: string) => q.trim().split(WINDOW_PLACEHOLDER).join(window);
  if (slo.sli.events) {
    return `(${at(slo.sli.events.error_query)})\n/\n(${at(slo.sli.events.total_query)})\n`;
  }
  return `(${at(slo.sli.raw!.error_ratio_query)})\n`;
}

function idSelector(metric: string, id: Record<string, string>): string {
  const m = [SLO_LABELS.id, SLO_LABELS.service, SLO_LABELS.slo]
    .map((l) => `${l}="${escapeLabelValue(id[l]!)}"`)
    .join(', ');
  return `${metric}{${m}}`;
}

function alertRule(
  slo: SlothSlo,
  severity: SloSeverity,
  alert: SlothAlert | undefined,
  id: Record<string, string>,
): AlertingRule {
  const budget = num(alertErrorBudget(slo.objective));
  const over = (window: string, factor: number) =>
    `max(${idSelector(SLO_RECORDS.sliError(window), id)} > (${num(factor)} * ${budget})) without (${SLO_LABELS.window})`;
  const expr =
    BURN_RATE_ALERTS[severity]
      .map(({ factor, long, short }) => `(\n    ${over(short, factor)}\n    and\n    ${over(long, factor)}\n)`)
      .join('\nor\n') + '\n';
  return {
    alert: slo.alerting.name,
    expr,
    labels: { ...slo.alerting.labels, ...alert?.labels, [SLO_LABELS.severity]: severity },
    annotations: {
      title: `(${severity}) {{$labels.${SLO_LABELS.service}}} {{$labels.${SLO_LABELS.slo}}} SLO error budget burn rate is too fast.`,
      summary: `{{$labels.${SLO_LABELS.service}}} {{$labels.${SLO_LABELS.slo}}} SLO error budget burn rate is over expected.`,
      ...slo.alerting.annotations,
      ...alert?.annotations,
    },
  };
}

function sloGroups(spec: SlothSpec, slo: SlothSlo, options: SloRuleOptions): RuleGroup[] {
  const id = sloId(spec.service, slo.name);
  const idLabels = { [SLO_LABELS.id]: id, [SLO_LABELS.service]: spec.service, [SLO_LABELS.slo]: slo.name };
  const labels = { ...spec.labels, ...slo.labels, ...idLabels };
  const sli: RecordingRule[] = SLI_WINDOWS.map((window) => ({
    record: SLO_RECORDS.sliError(window),
    expr: sliExpr(slo, window),
    labels: { ...labels, [SLO_LABELS.window]: window },
  }));
  const five = idSelector(SLO_RECORDS.sliError('5m'), idLabels);
  sli.push({
    record: SLO_RECORDS.sliError(SLO_PERIOD_WINDOW),
    expr:
      `sum_over_time(${five}[${SLO_PERIOD_WINDOW}])\n` +
      `/ ignoring (${SLO_LABELS.window})\n` +
      `count_over_time(${five}[${SLO_PERIOD_WINDOW}])\n`,
    labels: { ...labels, [SLO_LABELS.window]: SLO_PERIOD_WINDOW },
  });
  const on = `/ on(${SLO_LABELS.id}, ${SLO_LABELS.slo}, ${SLO_LABELS.service}) group_left\n`;
  const budget = idSelector(SLO_RECORDS.errorBudget, idLabels);
  const meta: RecordingRule[] = [
    { record: SLO_RECORDS.objective, expr: `vector(${num(objectiveRatio(slo.objective))})`, labels },
    { record: SLO_RECORDS.errorBudget, expr: `vector(1-${num(objectiveRatio(slo.objective))})`, labels },
    { record: SLO_RECORDS.timePeriodDays, expr: `vector(${num(SLO_PERIOD_DAYS)})`, labels },
    { record: SLO_RECORDS.currentBurnRate, expr: `${five}\n${on}${budget}\n`, labels },
    {
      record: SLO_RECORDS.periodBurnRate,
      expr: `${idSelector(SLO_RECORDS.sliError(SLO_PERIOD_WINDOW), idLabels)}\n${on}${budget}\n`,
      labels,
    },
    {
      record: SLO_RECORDS.periodErrorBudgetRemaining,
      expr: `1 - ${idSelector(SLO_RECORDS.periodBurnRate, idLabels)}`,
      labels,
    },
    {
      record: SLO_RECORDS.info,
      expr: 'vector(1)',
      labels: {
        ...labels,
        sloth_mode: 'cli-gen-prom',
        sloth_objective: String(slo.objective),
        sloth_spec: 'prometheus/v1',
        sloth_version: options.version,
      },
    },
  ];
  const alerts: AlertingRule[] = [];
  if (!slo.alerting.page_alert?.disable) alerts.push(alertRule(slo, 'page', slo.alerting.page_alert, idLabels));
  if (!slo.alerting.ticket_alert?.disable) alerts.push(alertRule(slo, 'ticket', slo.alerting.ticket_alert, idLabels));
  const groups: RuleGroup[] = [
    { name: `sloth-slo-sli-recordings-${id}`, rules: sli },
    { name: `sloth-slo-meta-recordings-${id}`, rules: meta },
  ];
  if (alerts.length > 0) groups.push({ name: `sloth-slo-alerts-${id}`, rules: alerts });
  return groups;
}

/** The recording and alerting rules Sloth generates for a spec, under the same names and labels. */
export function sloRules(spec: SlothSpec, options: SloRuleOptions): RuleFile {
  return { groups: spec.slos.flatMap((slo) => sloGroups(spec, slo, options)) };
}
