import { escapeLabelValue, num } from '../promql.js';
import type { AlertingRule, RecordingRule, RuleFile, RuleGroup } from '../rules/types.js';
import { alertErrorBudget, objectiveRatio } from './math.js';
import { WINDOW_PLACEHOLDER, type SlothAlert, type SlothSlo, type SlothSpec } from './spec.js';
import {
  BURN_RATE_ALERTS,
  SLI_BASE_WINDOW,
  SLI_WINDOWS,
  SLO_PERIOD_DAYS,
  SLO_PERIOD_WINDOW,
  type SloSeverity,
} from './windows.js';

/** Record names, labels and mode label as Sloth writes them, so its dashboards read ours. */
export const SLO_RECORDS = {
  sliError: (window: string) => `slo:sli_error:ratio_rate${window}`,
  /** An events SLI's bad and total events per second over the base window, which every longer window sums. */
  sliErrorEvents: `slo:sli_error_events:rate${SLI_BASE_WINDOW}`,
  sliTotalEvents: `slo:sli_total_events:rate${SLI_BASE_WINDOW}`,
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

function idSelector(metric: string, id: Record<string, string>): string {
  const m = [SLO_LABELS.id, SLO_LABELS.service, SLO_LABELS.slo]
    .map((l) => `${l}="${escapeLabelValue(id[l]!)}"`)
    .join(', ');
  return `${metric}{${m}}`;
}

const atWindow = (query: string, window: string): string => query.trim().split(WINDOW_PLACEHOLDER).join(window);

/**
 * The SLI recordings in two layers, as Sloth's optimized rules: only the base window reads the raw
 * series; every longer window reads the base window's recorded fleet-level series, so its cost no
 * longer grows with the fleet or with the window's length. An events SLI records its bad and
 * total event rates, and a longer window divides their sums, so that its ratio stays bad events
 * over all events (a quiet 5 minutes weighs less than a busy one); a raw SLI is already a ratio
 * and a longer window averages it. Rules of a group run in order, so the base records come first.
 */
function sliRecordings(
  slo: SlothSlo,
  labels: Record<string, string>,
  idLabels: Record<string, string>,
): RecordingRule[] {
  const at = (window: string) => ({ ...labels, [SLO_LABELS.window]: window });
  const base = at(SLI_BASE_WINDOW);
  const ratio = idSelector(SLO_RECORDS.sliError(SLI_BASE_WINDOW), idLabels);
  const errors = idSelector(SLO_RECORDS.sliErrorEvents, idLabels);
  const total = idSelector(SLO_RECORDS.sliTotalEvents, idLabels);
  const events = slo.sli.events;
  const baseRules: RecordingRule[] = events
    ? [
        {
          record: SLO_RECORDS.sliErrorEvents,
          expr: `${atWindow(events.error_query, SLI_BASE_WINDOW)}\n`,
          labels: base,
        },
        {
          record: SLO_RECORDS.sliTotalEvents,
          expr: `${atWindow(events.total_query, SLI_BASE_WINDOW)}\n`,
          labels: base,
        },
        { record: SLO_RECORDS.sliError(SLI_BASE_WINDOW), expr: `${errors}\n/\n${total}\n`, labels: base },
      ]
    : [
        {
          record: SLO_RECORDS.sliError(SLI_BASE_WINDOW),
          expr: `${atWindow(slo.sli.raw!.error_ratio_query, SLI_BASE_WINDOW)}\n`,
          labels: base,
        },
      ];
  const longer = [...SLI_WINDOWS.filter((w) => w !== SLI_BASE_WINDOW), SLO_PERIOD_WINDOW].map((window) => ({
    record: SLO_RECORDS.sliError(window),
    expr: events
      ? `sum_over_time(${errors}[${window}])\n/\nsum_over_time(${total}[${window}])\n`
      : `avg_over_time(${ratio}[${window}])\n`,
    labels: at(window),
  }));
  return [...baseRules, ...longer];
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
  const sli = sliRecordings(slo, labels, idLabels);
  const five = idSelector(SLO_RECORDS.sliError(SLI_BASE_WINDOW), idLabels);
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
