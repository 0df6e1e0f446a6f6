import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { alertingProblems, expandEnv, importDashboard, provisionedFolders, resolveDatasourceVariable } from './grafana-rules-of-provisioning.js';

const ROOT = resolve(__dirname, '../..');
const read = (path: string): unknown => parse(readFileSync(join(ROOT, path), 'utf8'));
const PROMETHEUS_UID = 'presize-prometheus';

interface Datasource {
  uid: string;
  type: string;
  url?: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

interface GrafanaRule {
  uid: string;
  title: string;
  condition: string;
  for: string;
  noDataState: string;
  execErrState: string;
  dashboardUid: string;
  panelId: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  data: { refId: string; datasourceUid: string; model: { expr?: string } }[];
}

interface PromRule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('Grafana datasources', () => {
  const { datasources } = read('provisioning/grafana/datasources/presize.yml') as { datasources: Datasource[] };

  it('provision Prometheus and the Presize datasource', () => {
    expect(datasources.map((d) => [d.uid, d.type])).toEqual([
      [PROMETHEUS_UID, 'prometheus'],
      ['presize-riskmap', 'presize-riskmap-datasource'],
    ]);
  });

  it('keep secrets in secureJsonData only, taken from the environment', () => {
    const secretName = /password|token|secret|credential|apikey/i;
    for (const d of datasources) {
      expect(Object.keys(d.jsonData ?? {}).filter((k) => secretName.test(k))).toEqual([]);
      for (const value of Object.values(d.secureJsonData ?? {})) expect(value).toMatch(/^\$[A-Z_]+$/);
    }
    expect(Object.keys(datasources[1]!.secureJsonData ?? {})).toContain('bearerToken');
  });

  it('take every variable they name from the Grafana container of docker-compose, auth off by default', () => {
    const text = readFileSync(join(ROOT, 'provisioning/grafana/datasources/presize.yml'), 'utf8');
    const named = [...new Set([...text.matchAll(/\$([A-Z_]+)/g)].map((m) => m[1]!))].sort();
    const compose = read('docker-compose.yaml') as { services: { grafana: { environment: Record<string, string> } } };
    const environment = compose.services.grafana.environment;
    expect(named.filter((name) => !(name in environment))).toEqual([]);
    expect([environment.PROMETHEUS_BASIC_AUTH, environment.PRESIZE_PROMETHEUS_AUTH]).toEqual(['false', 'none']);
    expect(datasources[1]!.jsonData?.authMethod).toBe('$PRESIZE_PROMETHEUS_AUTH');
  });
});

const ALERTING_DIR = 'provisioning/alerting';
const alertingFiles = readdirSync(join(ROOT, ALERTING_DIR)).filter((f) => f.endsWith('.yml')).sort();
const alertingDocs = alertingFiles.map((f) => read(`${ALERTING_DIR}/${f}`) as Record<string, unknown>);
const compose = read('docker-compose.yaml') as {
  services: Record<string, { image: string; volumes?: string[]; environment?: Record<string, string>; depends_on?: string[] }>;
  volumes?: Record<string, unknown>;
};
/** The Grafana container's environment as Docker Compose hands it over, `${VAR:-default}` at its default. */
const grafanaEnv = Object.fromEntries(
  Object.entries(compose.services.grafana!.environment ?? {}).map(([k, v]) => [k, String(v).replace(/^\$\{\w+:-(.*)\}$/, '$1')]),
);

describe('Grafana alert rules', () => {
  const { groups } = read(`${ALERTING_DIR}/presize-alert-rules.yml`) as { groups: { name: string; folder: string; rules: GrafanaRule[] }[] };
  const grafanaRules = groups.flatMap((g) => g.rules);
  const promRules = readdirSync(join(ROOT, 'provisioning/prometheus/rules')).flatMap((f) =>
    (read(`provisioning/prometheus/rules/${f}`) as { groups: { rules: PromRule[] }[] }).groups.flatMap((g) => g.rules),
  );
  const alerts = promRules.filter((r) => r.alert);

  it('mirror every Prometheus alert with the same expression, duration, labels and annotations', () => {
    expect(alerts.length).toBeGreaterThan(30);
    expect(grafanaRules).toHaveLength(alerts.length);
    for (const alert of alerts) {
      const twin = grafanaRules.find(
        (r) => r.data[0]!.model.expr === alert.expr.trim() && JSON.stringify(r.labels) === JSON.stringify(alert.labels),
      );
      expect(twin).toBeDefined();
      expect(twin!.for).toBe(alert.for ?? '0s');
      expect(twin!.annotations).toEqual(alert.annotations);
    }
  });

  it('query the provisioned Prometheus and have unique, valid uids', () => {
    for (const rule of grafanaRules) {
      expect(rule.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
      expect(rule.data.map((d) => d.datasourceUid)).toEqual([PROMETHEUS_UID, '__expr__']);
      expect(rule.condition).toBe('C');
    }
    expect(new Set(grafanaRules.map((r) => r.uid)).size).toBe(grafanaRules.length);
  });

  it('state what no data and a failing query mean, and guard the silence with PresizeTelemetryMissing', () => {
    for (const rule of grafanaRules) expect([rule.title, rule.noDataState, rule.execErrState]).toEqual([rule.title, 'OK', 'Error']);
    expect(grafanaRules.filter((r) => r.title.startsWith('PresizeTelemetryMissing'))).toHaveLength(1);
  });

  it('link every alert to a runbook in the repository that says what it means, how to confirm it and what to do', () => {
    for (const alert of alerts) {
      const runbook = alert.annotations?.runbook_url ?? '';
      expect({ alert: alert.alert, runbook }).toEqual({ alert: alert.alert, runbook: expect.stringMatching(/^provisioning\/runbooks\/[\w-]+\.md$/) });
      const text = readFileSync(join(ROOT, runbook), 'utf8');
      for (const section of ['## What it means', '## Confirm', '## What to do']) expect(text).toContain(section);
      expect(text).toMatch(/```promql\n.+\n```/s);
    }
    for (const map of alerts.filter((a) => a.labels?.reason && a.alert!.startsWith('PresizeMap'))) {
      const text = readFileSync(join(ROOT, map.annotations!.runbook_url!), 'utf8');
      for (const remedy of ['planCapacity', 'ShardedMap', 'BoundedList']) expect(text).toContain(remedy);
    }
  });

  it('link every alert to a panel of a provisioned dashboard', () => {
    const dashboards = readdirSync(join(ROOT, 'dashboards')).map((f) => JSON.parse(readFileSync(join(ROOT, 'dashboards', f), 'utf8')) as Dashboard);
    for (const rule of grafanaRules) {
      const dashboard = dashboards.find((d) => d.uid === rule.dashboardUid);
      expect({ rule: rule.title, dashboard: dashboard?.uid }).toEqual({ rule: rule.title, dashboard: rule.dashboardUid });
      expect(dashboard!.panels.map((p) => p.id)).toContain(rule.panelId);
    }
  });

  it('live in the one Presize folder of the dashboards', () => {
    const { providers } = read('provisioning/grafana/dashboards/presize.yml') as { providers: Record<string, unknown>[] };
    expect(provisionedFolders(groups, providers)).toEqual([{ uid: expect.any(String), title: 'Presize' }]);
    // What the issue saw: a folderUid beside the alert groups' folder title made two.
    expect(provisionedFolders(groups, [{ ...providers[0], folderUid: 'presize' }])).toHaveLength(2);
  });
});

describe('Grafana alert delivery', () => {
  it('reads as Grafana file provisioning requires, with the environment docker-compose gives Grafana', () => {
    expect(alertingFiles).toEqual(['presize-alert-rules.yml', 'presize-notifications.yml']);
    expect(alertingProblems(alertingDocs, grafanaEnv)).toEqual([]);
  });

  it('would be refused by Grafana without a webhook URL, with an unknown receiver or an undefined template', () => {
    expect(alertingProblems(alertingDocs, {})).toContain("Presize webhook: required field 'url' is not specified");
    const notifications = alertingDocs[1] as { policies: { receiver: string }[]; templates: { template: string }[] };
    const badReceiver = { ...notifications, policies: [{ ...notifications.policies[0], receiver: 'nobody' }] };
    expect(alertingProblems([alertingDocs[0]!, badReceiver], grafanaEnv)).toContain('policies[0]: receiver nobody is not a contact point');
    const noTemplates = { ...notifications, templates: [] };
    expect(alertingProblems([alertingDocs[0]!, noTemplates], grafanaEnv)).toContain('Presize webhook: template "presize.message" is not defined');
  });

  it('send every alert to the webhook whose URL comes from the environment, with a message naming subject, service, factor and value', () => {
    const notifications = alertingDocs[1] as {
      contactPoints: { name: string; receivers: { type: string; settings: Record<string, string> }[] }[];
      policies: { receiver: string }[];
      templates: { template: string }[];
    };
    const [webhook] = notifications.contactPoints[0]!.receivers;
    expect(webhook!.type).toBe('webhook');
    expect(webhook!.settings.url).toBe('$PRESIZE_ALERT_WEBHOOK_URL');
    expect(expandEnv(webhook!.settings.url!, grafanaEnv)).toBe('http://alert-sink:8090/presize');
    expect(notifications.policies[0]!.receiver).toBe(notifications.contactPoints[0]!.name);
    const template = notifications.templates[0]!.template;
    for (const part of ['.Labels.presize_map_name', '.Labels.presize_lru_name', '.Labels.gpu', '.Labels.job', '.Labels.reason', 'index . "A"', '.Annotations.runbook_url']) {
      expect(template).toContain(part);
    }
  });

  it('is the one path that delivers by default: Prometheus evaluates its rules but sends to no Alertmanager', () => {
    const prometheus = read('provisioning/prometheus/prometheus.yml') as Record<string, unknown>;
    expect(prometheus.alerting).toBeUndefined();
    expect(compose.services.grafana!.volumes).toContain('./provisioning/alerting:/etc/grafana/provisioning/alerting:ro');
  });
});

interface DataLink {
  title: string;
  url: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId?: string; datasource?: { type: string; uid: string } }[];
  fieldConfig?: { defaults: { unit?: string; noValue?: string; links?: DataLink[]; mappings?: { type: string; options: Record<string, { text: string; color: string }> }[] } };
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  current?: { value: string; text?: string };
  datasource?: { type: string; uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations?: { list?: { name: string; expr?: string; datasource?: { type: string; uid: string } }[] };
  __inputs: { name: string; type: string; pluginId: string }[];
  __requires: { type: string; id: string }[];
}

const DATASOURCE_REF = { type: 'prometheus', uid: '${datasource}' };
const datasourceRefs = (d: Dashboard) =>
  [
    ...d.panels.flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
    ...d.templating.list.filter((v) => v.type !== 'datasource').map((v) => v.datasource),
    ...(d.annotations?.list ?? []).map((a) => a.datasource),
  ].filter((r) => r !== undefined);

describe('dashboards', () => {
  const files = readdirSync(join(ROOT, 'dashboards')).filter((f) => f.endsWith('.json'));
  const dashboards = files.map((f) => JSON.parse(readFileSync(join(ROOT, 'dashboards', f), 'utf8')) as Dashboard);
  const byUid = (uid: string) => dashboards.find((d) => d.uid === uid)!;

  it('are the four of the suite, in the Grafana 12 schema', () => {
    expect(dashboards.map((d) => d.title).sort()).toEqual([
      'Presize / GPU utilisation',
      'Presize / Map growth',
      'Presize / Risk map',
      'Presize / SLO overview',
    ]);
    for (const d of dashboards) expect(d.schemaVersion).toBeGreaterThanOrEqual(41);
  });

  it('query the Prometheus their datasource variable chooses, never a fixed uid', () => {
    for (const d of dashboards) {
      const [first] = d.templating.list;
      expect([first!.name, first!.type, first!.query]).toEqual(['datasource', 'datasource', 'prometheus']);
      const refs = datasourceRefs(d);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(ref).toEqual(DATASOURCE_REF);
      expect(JSON.stringify(d)).not.toContain(PROMETHEUS_UID);
    }
  });

  it('import into any Grafana: the Prometheus picked on import becomes the variable, nothing else is replaced', () => {
    for (const d of dashboards) {
      expect(d.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
      expect(() => importDashboard(d as unknown as Record<string, unknown>, {})).toThrow('input missing DS_PROMETHEUS');
      const imported = importDashboard(d as unknown as Record<string, unknown>, { DS_PROMETHEUS: 'their-prometheus' }) as unknown as Dashboard;
      expect(imported.templating.list[0]!.current?.value).toBe('their-prometheus');
      expect('__inputs' in imported).toBe(false);
      expect(JSON.stringify(imported)).not.toContain('DS_PROMETHEUS');
      for (const ref of datasourceRefs(imported)) expect(ref).toEqual(DATASOURCE_REF);
      const panelTypes = [...new Set(d.panels.map((p) => p.type).filter((t) => t !== 'row'))].sort();
      expect(d.__requires.filter((r) => r.type === 'panel').map((r) => r.id)).toEqual(panelTypes);
      expect(d.__requires).toEqual(expect.arrayContaining([{ type: 'datasource', id: 'prometheus', name: 'Prometheus', version: expect.any(String) }]));
    }
  });

  it('query the provisioned Prometheus where they are provisioned, and the chosen one after import', () => {
    const { datasources } = read('provisioning/grafana/datasources/presize.yml') as { datasources: { name: string; uid: string; type: string }[] };
    const prometheuses = datasources.filter((d) => d.type === 'prometheus');
    for (const d of dashboards) {
      const current = d.templating.list[0]!.current as { value: string; text: string };
      expect(resolveDatasourceVariable(current, prometheuses)).toBe(PROMETHEUS_UID);
      const imported = importDashboard(d as unknown as Record<string, unknown>, { DS_PROMETHEUS: 'theirs' }) as unknown as Dashboard;
      const chosen = imported.templating.list[0]!.current as { value: string; text: string };
      expect(resolveDatasourceVariable(chosen, [{ name: 'Another', uid: 'another' }, { name: 'Theirs', uid: 'theirs' }])).toBe('theirs');
    }
  });

  it('give every panel a unique id, the same for the panels links and alerts name', () => {
    for (const d of dashboards) {
      const ids = d.panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const titles = (uid: string) => Object.fromEntries(byUid(uid).panels.map((p) => [p.id, p.title]));
    expect(titles('presize-risk-map')).toMatchObject({ 1: 'Maps', 2: 'GPUs', 3: 'lru-caches', 7: 'Risk level over time' });
    expect(titles('presize-slo-overview')).toMatchObject({ 6: 'Burn rate' });
    expect(titles('presize-gpu-utilisation')).toMatchObject({ 7: 'SM clock', 8: 'Clock event reasons (bitmask)' });
  });

  it('link a map, an lru-cache and a GPU on the risk map to its own panels, keeping time and Prometheus', () => {
    const risk = byUid('presize-risk-map');
    const links = Object.fromEntries(risk.panels.filter((p) => p.fieldConfig?.defaults.links).map((p) => [p.title, p.fieldConfig!.defaults.links!]));
    expect(Object.keys(links).sort()).toEqual(['GPUs', 'Maps', 'lru-caches']);
    const expectedVars: Record<string, Record<string, string>> = {
      Maps: { job: '${__field.labels.job}', map: '${__field.labels.presize_map_name}' },
      'lru-caches': { job: '${__field.labels.job}', cache: '${__field.labels.presize_lru_name}' },
      GPUs: { job: '${__field.labels.job}', node: '${__field.labels.instance}', gpu: '${__field.labels.gpu}' },
    };
    for (const [title, [link]] of Object.entries(links)) {
      const url = new URL(link!.url, 'http://grafana.invalid');
      const target = byUid(url.pathname.replace(/^\/d\//, ''));
      expect(target).toBeDefined();
      const vars = Object.fromEntries([...url.searchParams].filter(([k]) => k.startsWith('var-')).map(([k, v]) => [k.slice(4), v]));
      expect(vars).toEqual(expectedVars[title]);
      for (const name of Object.keys(vars)) expect(target.templating.list.map((v) => v.name)).toContain(name);
      expect(link!.url).toContain('${__url_time_range}');
      expect(link!.url).toContain('${datasource:queryparam}');
    }
  });

  it('show the risk level of the $top highest maps, lru-caches and GPUs over time on the risk map', () => {
    const timeline = byUid('presize-risk-map').panels.find((p) => p.type === 'state-timeline')!;
    expect(timeline.targets!.map((t) => t.expr.replace(/\{.*$/, ''))).toEqual([
      'topk($top, presize:map_risk:level',
      'topk($top, presize:lru_risk:level',
      'topk($top, presize:gpu_risk:level',
    ]);
    const options = timeline.fieldConfig!.defaults.mappings![0]!.options;
    expect(Object.fromEntries(Object.entries(options).map(([v, o]) => [v, [o.text, o.color]]))).toEqual({
      0: ['ok', 'green'],
      1: ['warn', 'orange'],
      2: ['critical', 'red'],
    });
  });

  it('say "not collected" on the clock event panel instead of showing nothing', () => {
    const gpu = byUid('presize-gpu-utilisation');
    const clocks = gpu.panels.find((p) => p.title === 'Clock event reasons (bitmask)')!;
    expect(clocks.fieldConfig!.defaults.noValue).toMatch(/^Not collected: add DCGM_FI_DEV_CLOCKS_EVENT_REASONS .*provisioning\/dcgm-exporter\/presize-counters\.csv/);
    const notCollected = gpu.panels.find((p) => p.title === 'Fields not collected')!;
    expect(notCollected.targets![0]!.expr).toContain('presize:gpu_risk_factor:not_collected');
  });

  it('select service, map, node and lru-cache, and mark growth events', () => {
    const growth = byUid('presize-map-growth');
    expect(growth.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'map', 'node', 'cache', 'top']);
    const growthAnnotation = growth.annotations?.list?.find((a) => a.name === 'Map growths');
    expect(growthAnnotation?.expr).toContain('presize_map_growths_total');
    expect(byUid('presize-gpu-utilisation').templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'node', 'gpu', 'top']);
  });
});

describe('docker-compose.yaml', () => {
  it('is well-formed with Grafana, Prometheus, the demo service, its load and the alert sink', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alert-sink', 'demo', 'grafana', 'load', 'prometheus']);
    for (const service of Object.values(compose.services)) expect(service.image).toMatch(/^[a-z0-9./-]+:[\w.-]+$/);
  });

  it('mounts paths that exist in the repository (the plugin once built)', () => {
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (!source!.startsWith('./')) {
          expect(Object.keys(compose.volumes ?? {})).toContain(source);
          continue;
        }
        if (source === './grafana-plugin/dist') continue;
        expect(existsSync(join(ROOT, source!))).toBe(true);
      }
    }
  });

  it('gives Grafana every variable the alerting files name', () => {
    const named = alertingFiles.flatMap((f) => [...readFileSync(join(ROOT, ALERTING_DIR, f), 'utf8').matchAll(/\$([A-Z_]+)/g)].map((m) => m[1]!));
    expect(named).toEqual(['PRESIZE_ALERT_WEBHOOK_URL']);
    for (const name of named) expect(grafanaEnv[name]).toMatch(/^https?:\/\//);
  });
});
