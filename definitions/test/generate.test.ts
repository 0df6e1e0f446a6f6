import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateAll } from '../generate/all.js';
import { renderLabels } from '../generate/alert-tests.js';
import { sloRules, type SlothSpec } from '../src/index.js';

describe('generateAll', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'presize-generate-'));
    mkdirSync(join(root, 'provisioning/slos'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('turns a Sloth file a user adds into its own rule file', () => {
    writeFileSync(
      join(root, 'provisioning/slos/checkout.yaml'),
      [
        'version: prometheus/v1',
        'service: checkout',
        'slos:',
        '  - name: requests-availability',
        '    objective: 99.9',
        '    sli:',
        '      events:',
        '        error_query: sum(rate(http_server_request_duration_seconds_count{job="checkout",http_response_status_code=~"5.."}[{{.window}}]))',
        '        total_query: sum(rate(http_server_request_duration_seconds_count{job="checkout"}[{{.window}}]))',
        '    alerting:',
        '      name: CheckoutErrors',
      ].join('\n'),
    );
    const files = generateAll(root);
    const rules = files.find((f) => f.path === 'provisioning/prometheus/rules/slo-checkout.yml');
    expect(rules).toBeDefined();
    const doc = parse(rules!.content) as { groups: { name: string }[] };
    expect(doc.groups.map((g) => g.name)).toEqual([
      'sloth-slo-sli-recordings-checkout-requests-availability',
      'sloth-slo-meta-recordings-checkout-requests-availability',
      'sloth-slo-alerts-checkout-requests-availability',
    ]);
    const config = parse(files.find((f) => f.path === 'provisioning/prometheus/prometheus.yml')!.content) as {
      rule_files: string[];
    };
    expect(config.rule_files).toContain('rules/slo-checkout.yml');
  });

  it('refuses a bad Sloth file, naming the file and the field', () => {
    writeFileSync(
      join(root, 'provisioning/slos/broken.yml'),
      'version: prometheus/v1\nservice: checkout\nslos:\n  - name: x\n    objective: 120\n    sli: {}\n    alerting: {name: X}\n',
    );
    expect(() => generateAll(root)).toThrow('provisioning/slos/broken.yml.slos[0].objective');
  });

  it('writes every file with the notice that it is generated', () => {
    for (const file of generateAll(root)) {
      if (file.path.endsWith('.json')) continue;
      const notice = file.path.endsWith('.md') ? /^<!-- .*npm run generate.* -->$/ : /^# .*npm run generate/;
      expect(file.content.split('\n')[0]).toMatch(notice);
    }
  });

  it("starts Compose's Prometheus without its lifecycle API unless PROMETHEUS_LIFECYCLE asks for it", () => {
    const compose = parse(generateAll(root).find((f) => f.path.endsWith('docker-compose.yaml'))!.content);
    const command = compose.services.prometheus.command as string[];
    expect(command).not.toContain('--web.enable-lifecycle');
    expect(command).not.toContain('--web.enable-admin-api');
    expect(command).toContain('${PROMETHEUS_LIFECYCLE:---no-web.enable-lifecycle}');
  });
});

describe('Sloth-compatible output', () => {
  it('writes the burn-rate alert as Sloth does, with its constants', () => {
    const spec: SlothSpec = {
      version: 'prometheus/v1',
      service: 'myservice',
      slos: [
        {
          name: 'requests-availability',
          objective: 99.9,
          sli: { events: { error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))' } },
          alerting: { name: 'MyServiceHighErrorRate' },
        },
      ],
    };
    const [sli, meta, alerts] = sloRules(spec, { version: 'test' }).groups;
    const id =
      'sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"';
    const over = (w: string, f: string) =>
      `max(slo:sli_error:ratio_rate${w}{${id}} > (${f} * 0.0009999999999999432)) without (sloth_window)`;
    expect(alerts!.rules[0]!.expr).toBe(
      `(\n    ${over('5m', '14.4')}\n    and\n    ${over('1h', '14.4')}\n)\nor\n(\n    ${over('30m', '6')}\n    and\n    ${over('6h', '6')}\n)\n`,
    );
    // The 5-minute ratio divides its recorded event rates, which the longer windows sum.
    expect(sli!.rules.slice(0, 3).map((r) => r.expr)).toEqual([
      'sum(rate(e[5m]))\n',
      'sum(rate(t[5m]))\n',
      `slo:sli_error_events:rate5m{${id}}\n/\nslo:sli_total_events:rate5m{${id}}\n`,
    ]);
    expect(meta!.rules.slice(0, 2).map((r) => r.expr)).toEqual([
      'vector(0.9990000000000001)',
      'vector(1-0.9990000000000001)',
    ]);
  });

  it('renders alert label templates the way Prometheus does, missing labels as empty', () => {
    expect(renderLabels('{{$labels.a}} / {{ $labels.b }}!', { a: 'x' })).toBe('x / !');
  });
});
