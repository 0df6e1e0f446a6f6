import { isAlertingRule, type AlertingRule } from '../src/index.js';
import { PROMETHEUS_DATASOURCE_UID } from './dashboards/common.js';
import { DASHBOARDS_DIR } from './dashboards/index.js';
import { RISK_MAP_DASHBOARD_UID, RISK_MAP_PANELS } from './dashboards/risk-map.js';
import { SLO_DASHBOARD_UID, SLO_PANELS } from './dashboards/slo-overview.js';
import { notificationFiles } from './notifications.js';
import { yamlFile, type GeneratedFile } from './output.js';
import type { RuleFileSet } from './prometheus.js';

export const GRAFANA_DIR = 'provisioning/grafana';
export const GRAFANA_ALERTING_DIR = 'provisioning/alerting';
export const PRESIZE_DATASOURCE_TYPE = 'presize-riskmap-datasource';
export const PRESIZE_DATASOURCE_UID = 'presize-riskmap';
/**
 * The folder of the dashboards and the alert rules, by title only: Grafana's alert rule
 * provisioning finds or creates a folder by title (with a generated uid) before dashboards are
 * provisioned, and a dashboard provider with a `folderUid` would then create a second "Presize".
 */
export const GRAFANA_FOLDER_TITLE = 'Presize';
/** Where docker-compose mounts `dashboards/` inside the Grafana container. */
export const GRAFANA_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/presize';

/**
 * Datasources. Credentials come from environment variables (Grafana expands `$VAR` in provisioning
 * files) and go to `secureJsonData` only, which Grafana encrypts. Whether they are used comes from
 * the environment as well (`PROMETHEUS_BASIC_AUTH`, `PRESIZE_PROMETHEUS_AUTH`), so a secured
 * Prometheus needs no edit of these files.
 */
function datasources() {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: PROMETHEUS_DATASOURCE_UID,
        type: 'prometheus',
        access: 'proxy',
        url: '$PROMETHEUS_URL',
        isDefault: true,
        basicAuth: '$PROMETHEUS_BASIC_AUTH',
        basicAuthUser: '$PROMETHEUS_USER',
        jsonData: { httpMethod: 'POST', prometheusType: 'Prometheus', timeInterval: '15s' },
        secureJsonData: { basicAuthPassword: '$PROMETHEUS_PASSWORD' },
        editable: false,
      },
      {
        name: 'Presize',
        uid: PRESIZE_DATASOURCE_UID,
        type: PRESIZE_DATASOURCE_TYPE,
        access: 'proxy',
        jsonData: { url: '$PROMETHEUS_URL', authMethod: '$PRESIZE_PROMETHEUS_AUTH' },
        secureJsonData: { bearerToken: '$PRESIZE_PROMETHEUS_TOKEN' },
        editable: true,
      },
    ],
  };
}

function dashboardProvider() {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'presize',
        orgId: 1,
        folder: GRAFANA_FOLDER_TITLE,
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: GRAFANA_DASHBOARDS_PATH, foldersFromFilesStructure: false },
      },
    ],
  };
}

/** Grafana rule uids: at most 40 characters of [A-Za-z0-9_-]; a stable hash keeps them unique. */
function ruleUid(readable: string, key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  const slug = readable
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 32);
  return `${slug}-${h.toString(36)}`.slice(0, 40);
}

/** The panel an alert of a rule group links to: the subject's grid on the risk map, the SLO burn rates. */
const GROUP_PANELS: [RegExp, { dashboardUid: string; panelId: number }][] = [
  [/^presize-map-risk/, { dashboardUid: RISK_MAP_DASHBOARD_UID, panelId: RISK_MAP_PANELS.maps }],
  [/^presize-gpu-risk/, { dashboardUid: RISK_MAP_DASHBOARD_UID, panelId: RISK_MAP_PANELS.gpus }],
  [/^presize-lru-risk/, { dashboardUid: RISK_MAP_DASHBOARD_UID, panelId: RISK_MAP_PANELS.lruCaches }],
  [/^presize-telemetry/, { dashboardUid: RISK_MAP_DASHBOARD_UID, panelId: RISK_MAP_PANELS.levelOverTime }],
  [/^sloth-slo-alerts-/, { dashboardUid: SLO_DASHBOARD_UID, panelId: SLO_PANELS.burnRate }],
];

function panelOf(group: string): { dashboardUid: string; panelId: number } {
  const found = GROUP_PANELS.find(([pattern]) => pattern.test(group));
  if (!found) throw new Error(`alert group ${group}: name the panel its alerts link to in GROUP_PANELS`);
  return found[1];
}

function grafanaRule(group: string, rule: AlertingRule) {
  const severity = rule.labels?.sloth_severity ?? rule.labels?.severity ?? 'none';
  return {
    uid: ruleUid(`${rule.alert}-${severity}`, `${group}/${rule.alert}/${severity}/${rule.expr}`),
    title: `${rule.alert} (${severity})`,
    ...panelOf(group),
    condition: 'C',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: 600, to: 0 },
        datasourceUid: PROMETHEUS_DATASOURCE_UID,
        // The Prometheus rule's expression returns exactly the firing series, so C fires on any.
        model: {
          refId: 'A',
          expr: rule.expr.trim(),
          instant: true,
          range: false,
          intervalMs: 60000,
          maxDataPoints: 43200,
        },
      },
      {
        refId: 'C',
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: '__expr__',
        model: {
          refId: 'C',
          type: 'threshold',
          expression: 'A',
          conditions: [{ evaluator: { type: 'gt', params: [0] } }],
        },
      },
    ],
    // The expression returns only the subjects at fault, so no data is the all-clear. Silence for
    // want of data is caught by PresizeTelemetryMissing; a failing query fires DatasourceError.
    noDataState: 'OK',
    execErrState: 'Error',
    for: rule.for ?? '0s',
    labels: rule.labels ?? {},
    annotations: rule.annotations ?? {},
    isPaused: false,
  };
}

/** Grafana-managed copies of every Prometheus alert, for users who alert from Grafana. */
function alertRules(sets: readonly RuleFileSet[]) {
  return {
    apiVersion: 1,
    groups: sets.flatMap((set) =>
      set.rules.groups
        .filter((g) => g.rules.some(isAlertingRule))
        .map((g) => ({
          orgId: 1,
          name: g.name,
          folder: GRAFANA_FOLDER_TITLE,
          interval: '1m',
          rules: g.rules.filter(isAlertingRule).map((r) => grafanaRule(g.name, r)),
        })),
    ),
  };
}

export function grafanaFiles(sets: readonly RuleFileSet[]): GeneratedFile[] {
  return [
    yamlFile(`${GRAFANA_DIR}/datasources/presize.yml`, datasources()),
    yamlFile(`${GRAFANA_DIR}/dashboards/presize.yml`, dashboardProvider()),
    yamlFile(`${GRAFANA_ALERTING_DIR}/presize-alert-rules.yml`, alertRules(sets)),
    ...notificationFiles(),
  ];
}

export { DASHBOARDS_DIR };
