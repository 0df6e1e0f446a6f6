import { isAlertingRule, type AlertingRule, type RuleFile } from '../src/index.js';
import { EVAL_TIME } from './series.js';

/** Renders the `{{ $labels.x }}` parts of an alert template the way Prometheus does. */
export function renderLabels(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
}

export interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

export function expAlert(rule: AlertingRule, seriesLabels: Record<string, string>): ExpAlert {
  const labels = { ...seriesLabels, ...rule.labels };
  const annotations = Object.fromEntries(
    Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, renderLabels(v, labels)]),
  );
  return { exp_labels: labels, exp_annotations: annotations };
}

export const alertsOf = (file: RuleFile) => file.groups.flatMap((g) => g.rules).filter(isAlertingRule);

/** Every alert name of a file evaluated at once, expecting exactly the rules `firing` picks. */
export function alertTests(file: RuleFile, firing: (rule: AlertingRule) => Record<string, string> | null) {
  const byName = new Map<string, AlertingRule[]>();
  for (const rule of alertsOf(file)) byName.set(rule.alert, [...(byName.get(rule.alert) ?? []), rule]);
  return [...byName].map(([alertname, rules]) => ({
    eval_time: EVAL_TIME,
    alertname,
    exp_alerts: rules.flatMap((rule) => {
      const labels = firing(rule);
      return labels ? [expAlert(rule, labels)] : [];
    }),
  }));
}
