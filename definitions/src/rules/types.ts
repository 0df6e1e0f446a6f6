/** Prometheus rule files as plain data (the YAML shape Prometheus and promtool read). */
export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

export function isAlertingRule(rule: Rule): rule is AlertingRule {
  return 'alert' in rule;
}
