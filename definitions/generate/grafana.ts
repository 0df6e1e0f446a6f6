import { isAlertingRule, type AlertingRule } from '../src/index.js';
import { PROMETHEUS_DATASOURCE_UID } from './dashboards/common.js';
import { DASHBOARDS_DIR } from './dashboards/index.js';
import { yamlFile, type GeneratedFile } from './output.js';
import type { RuleFileSet } from './prometheus.js';

export const GRAFANA_DIR = 'provisioning/grafana';
export const GRAFANA_ALERTING_DIR = 'provisioning/alerting';
export const PRESIZE_DATASOURCE_TYPE = 'presize-riskmap-datasource';
export const PRESIZE_DATASOURCE_UID = 'presize-riskmap';
export const GRAFANA_FOLDER = { uid: 'presize', title: 'Presize' };
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
        folder: GRAFANA_FOLDER.title,
        folderUid: GRAFANA_FOLDER.uid,
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
  const slug = readable.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 32);
  return `${slug}-${h.toString(36)}`.slice(0, 40);
}

function grafanaRule(group: string, rule: AlertingRule) {
  const severity = rule.labels?.sloth_severity ?? rule.labels?.severity ?? 'none';
  return {
    uid: ruleUid(`${rule.alert}-${severity}`, `${group}/${rule.alert}/${severity}/${rule.expr}`),
    title: `${rule.alert} (${severity})`,
    condition: 'C',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: 600, to: 0 },
        datasourceUid: PROMETHEUS_DATASOURCE_UID,
        // The Prometheus rule's expression returns exactly the firing series, so C fires on any.
        model: { refId: 'A', expr: rule.expr.trim(), instant: true, range: false, intervalMs: 60000, maxDataPoints: 43200 },
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
          folder: GRAFANA_FOLDER.title,
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
  ];
}

export { DASHBOARDS_DIR };
