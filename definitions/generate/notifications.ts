import {
  LABEL_LRU_NAME,
  LABEL_MAP_NAME,
  REASON_LABEL,
  RISK_LEVEL_SEVERITY,
  TELEMETRY_CAUSE_LABEL,
} from '../src/index.js';
import { yamlFile, type GeneratedFile } from './output.js';

/** The environment variable holding the webhook URL; Grafana expands `$VAR` in provisioning files. */
export const ALERT_WEBHOOK_URL_VARIABLE = 'PRESIZE_ALERT_WEBHOOK_URL';
export const CONTACT_POINT = { name: 'Presize webhook', uid: 'presize-webhook' };
export const TEMPLATE_NAME = 'presize';

/**
 * The message every notification carries, one block per alert: the subject (map, lru-cache, GPU or
 * SLO), its service, the factor or cause, the value of the rule's query (the factor score for risk
 * alerts), the summary and the runbook. Go templates, as Grafana's notifier runs them.
 */
const TEMPLATE = `{{ define "presize.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} {{ .CommonLabels.job }}{{ .CommonLabels.sloth_service }}{{ end }}

{{ define "presize.subject" }}{{ if .Labels.${LABEL_MAP_NAME} }}map {{ .Labels.${LABEL_MAP_NAME} }}{{ else if .Labels.${LABEL_LRU_NAME} }}lru-cache {{ .Labels.${LABEL_LRU_NAME} }}{{ else if .Labels.gpu }}GPU {{ .Labels.gpu }} on {{ .Labels.Hostname }}{{ .Labels.hostname }} ({{ .Labels.instance }}){{ else if .Labels.sloth_slo }}SLO {{ .Labels.sloth_slo }}{{ else }}the service{{ end }}{{ end }}

{{ define "presize.alert" }}{{ .Labels.alertname }} ({{ .Labels.severity }}{{ .Labels.sloth_severity }}): {{ template "presize.subject" . }}
service: {{ .Labels.job }}{{ .Labels.sloth_service }}
factor: {{ if .Labels.sloth_slo }}error budget burn rate{{ else }}{{ .Labels.${REASON_LABEL} }}{{ .Labels.${TELEMETRY_CAUSE_LABEL} }}{{ end }}
value: {{ with .Values }}{{ index . "A" }}{{ else }}{{ .ValueString }}{{ end }}
{{ .Annotations.summary }}
runbook: {{ .Annotations.runbook_url }}
{{ if .PanelURL }}panel: {{ .PanelURL }}
{{ end }}{{ end }}

{{ define "presize.message" }}{{ if .Alerts.Firing }}Firing:
{{ range .Alerts.Firing }}{{ template "presize.alert" . }}
{{ end }}{{ end }}{{ if .Alerts.Resolved }}Resolved:
{{ range .Alerts.Resolved }}{{ template "presize.alert" . }}
{{ end }}{{ end }}{{ end }}
`;

/**
 * Where Grafana-managed alerts go: one webhook contact point (its URL from the environment), a
 * notification policy tree routing every alert to it, grouped per alert and service, critical ones
 * repeated sooner, and the message template.
 */
function notifications() {
  const repeatSooner = (label: string, value: string) => ({
    receiver: CONTACT_POINT.name,
    object_matchers: [[label, '=', value]],
    repeat_interval: '1h',
  });
  return {
    apiVersion: 1,
    contactPoints: [
      {
        orgId: 1,
        name: CONTACT_POINT.name,
        receivers: [
          {
            uid: CONTACT_POINT.uid,
            type: 'webhook',
            settings: {
              url: `$${ALERT_WEBHOOK_URL_VARIABLE}`,
              httpMethod: 'POST',
              title: `{{ template "${TEMPLATE_NAME}.title" . }}`,
              message: `{{ template "${TEMPLATE_NAME}.message" . }}`,
            },
            disableResolveMessage: false,
          },
        ],
      },
    ],
    // Provisioning a policy tree replaces the organisation's whole tree.
    policies: [
      {
        orgId: 1,
        receiver: CONTACT_POINT.name,
        group_by: ['grafana_folder', 'alertname', 'job'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
        routes: [repeatSooner('severity', RISK_LEVEL_SEVERITY.critical), repeatSooner('sloth_severity', 'page')],
      },
    ],
    templates: [{ orgId: 1, name: TEMPLATE_NAME, template: TEMPLATE }],
  };
}

export const NOTIFICATIONS_FILE = 'provisioning/alerting/presize-notifications.yml';

export function notificationFiles(): GeneratedFile[] {
  return [yamlFile(NOTIFICATIONS_FILE, notifications())];
}
