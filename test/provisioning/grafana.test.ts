import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

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
  labels: Record<string, string>;
  data: { refId: string; datasourceUid: string; model: { expr?: string } }[];
}

interface PromRule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
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

describe('Grafana alert rules', () => {
  const { groups } = read('provisioning/alerting/presize-alert-rules.yml') as { groups: { name: string; rules: GrafanaRule[] }[] };
  const grafanaRules = groups.flatMap((g) => g.rules);
  const promRules = readdirSync(join(ROOT, 'provisioning/prometheus/rules')).flatMap((f) =>
    (read(`provisioning/prometheus/rules/${f}`) as { groups: { rules: PromRule[] }[] }).groups.flatMap((g) => g.rules),
  );

  it('mirror every Prometheus alert with the same expression, duration and labels', () => {
    const alerts = promRules.filter((r) => r.alert);
    expect(grafanaRules).toHaveLength(alerts.length);
    for (const alert of alerts) {
      const twin = grafanaRules.find(
        (r) => r.data[0]!.model.expr === alert.expr.trim() && JSON.stringify(r.labels) === JSON.stringify(alert.labels),
      );
      expect(twin).toBeDefined();
      expect(twin!.for).toBe(alert.for ?? '0s');
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
});

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; datasource?: { uid: string } }[] };
  annotations: { list: { name: string; expr?: string; datasource?: { uid: string } }[] };
}

describe('dashboards', () => {
  const files = readdirSync(join(ROOT, 'dashboards')).filter((f) => f.endsWith('.json'));
  const dashboards = files.map((f) => JSON.parse(readFileSync(join(ROOT, 'dashboards', f), 'utf8')) as Dashboard);

  it('are the four of the suite, in the Grafana 12 schema', () => {
    expect(dashboards.map((d) => d.title).sort()).toEqual([
      'Presize / GPU utilisation',
      'Presize / Map growth',
      'Presize / Risk map',
      'Presize / SLO overview',
    ]);
    for (const d of dashboards) expect(d.schemaVersion).toBeGreaterThanOrEqual(41);
  });

  it('query only the provisioned Prometheus', () => {
    for (const d of dashboards) {
      const refs = [
        ...d.panels.flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
        ...d.templating.list.map((v) => v.datasource),
      ].filter((r) => r !== undefined);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(ref!.uid).toBe(PROMETHEUS_UID);
    }
  });

  it('select service, map, node and lru-cache, and mark growth events', () => {
    const growth = dashboards.find((d) => d.uid === 'presize-map-growth')!;
    expect(growth.templating.list.map((v) => v.name)).toEqual(['job', 'map', 'node', 'cache']);
    const growthAnnotation = growth.annotations.list.find((a) => a.name === 'Map growths');
    expect(growthAnnotation?.expr).toContain('presize_map_growths_total');
    const gpu = dashboards.find((d) => d.uid === 'presize-gpu-utilisation')!;
    expect(gpu.templating.list.map((v) => v.name)).toEqual(['job', 'node', 'gpu']);
  });
});

describe('docker-compose.yaml', () => {
  const compose = read('docker-compose.yaml') as {
    services: Record<string, { image: string; volumes?: string[] }>;
    volumes?: Record<string, unknown>;
  };

  it('is well-formed with Grafana, Prometheus, the demo service and its load', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['demo', 'grafana', 'load', 'prometheus']);
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
});
