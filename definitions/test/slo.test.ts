import {
  DEFAULT_SLO_SPECS,
  SloSpecError,
  alertErrorBudget,
  burnRate,
  errorBudgetRemaining,
  objectiveRatio,
  parseSlothSpec,
  sloRules,
  sloStatus,
  isAlertingRule,
} from '../src/index.js';

describe('SLO math', () => {
  it('uses the same constants as Sloth for a 99.9 objective', () => {
    expect(objectiveRatio(99.9)).toBe(0.9990000000000001);
    expect(alertErrorBudget(99.9)).toBe(0.0009999999999999432);
  });

  it('burns at 1 when errors equal the budget, and spends the budget at 1', () => {
    expect(burnRate(0.0005, 99.95)).toBeCloseTo(1, 9);
    expect(errorBudgetRemaining(0.0005, 99.95)).toBeCloseTo(0, 9);
    expect(errorBudgetRemaining(0, 99.95)).toBe(1);
  });

  it('pages only when a long and its short window both burn fast', () => {
    const budget = alertErrorBudget(99.95);
    expect(sloStatus({ '1h': 15 * budget, '5m': 15 * budget }, 99.95)).toBe('page');
    expect(sloStatus({ '1h': 15 * budget, '5m': 1 * budget }, 99.95)).toBe('ok');
    expect(sloStatus({ '1d': 4 * budget, '2h': 4 * budget }, 99.95)).toBe('ticket');
    expect(sloStatus({}, 99.95)).toBe('ok');
  });
});

describe('parseSlothSpec', () => {
  const valid = {
    version: 'prometheus/v1',
    service: 'svc',
    slos: [
      {
        name: 'avail',
        objective: 99,
        sli: { events: { error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))' } },
        alerting: { name: 'A' },
      },
    ],
  };

  it('accepts every default spec', () => {
    for (const [file, spec] of Object.entries(DEFAULT_SLO_SPECS)) {
      expect(parseSlothSpec(JSON.parse(JSON.stringify(spec)), file)).toEqual(spec);
    }
  });

  it.each([
    [{ ...valid, version: 'v2' }, /version/],
    [{ ...valid, slos: [{ ...valid.slos[0], objective: 100 }] }, /slos\[0\]\.objective/],
    [{ ...valid, slos: [{ ...valid.slos[0], sli: {} }] }, /exactly one of events or raw/],
    [
      { ...valid, slos: [{ ...valid.slos[0], sli: { raw: { error_ratio_query: 'x[5m]' } } }] },
      /error_ratio_query: the query must use/,
    ],
    [{ ...valid, slos: [valid.slos[0], valid.slos[0]] }, /defined twice/],
    [{ ...valid, service: 'has space' }, /service/],
  ])('rejects a bad spec with the field named (%#)', (doc, message) => {
    expect(() => parseSlothSpec(doc, 'f.yml')).toThrow(SloSpecError);
    expect(() => parseSlothSpec(doc, 'f.yml')).toThrow(message);
  });
});

describe('sloRules', () => {
  it('writes Sloth groups, records and alert labels for each SLO', () => {
    const spec = DEFAULT_SLO_SPECS['inference.yml']!;
    const file = sloRules(spec, { version: 'test' });
    expect(file.groups.map((g) => g.name).slice(0, 3)).toEqual([
      'sloth-slo-sli-recordings-inference-requests-availability',
      'sloth-slo-meta-recordings-inference-requests-availability',
      'sloth-slo-alerts-inference-requests-availability',
    ]);
    const rules = file.groups[0]!.rules;
    const records = rules.map((r) => ('record' in r ? r.record : ''));
    expect(records).toEqual([
      'slo:sli_error_events:rate5m',
      'slo:sli_total_events:rate5m',
      'slo:sli_error:ratio_rate5m',
      'slo:sli_error:ratio_rate30m',
      'slo:sli_error:ratio_rate1h',
      'slo:sli_error:ratio_rate2h',
      'slo:sli_error:ratio_rate6h',
      'slo:sli_error:ratio_rate1d',
      'slo:sli_error:ratio_rate3d',
      'slo:sli_error:ratio_rate30d',
    ]);
    // Only the base event rates read the raw metric; every other window reads them.
    const raw = rules.filter((r) => r.expr.includes('http_server_request_duration_seconds'));
    expect(raw.map((r) => ('record' in r ? r.record : ''))).toEqual(records.slice(0, 2));
    for (const r of raw) expect(r.expr).toContain('[5m]');
    for (const r of rules) expect(r.expr).not.toContain('{{.window}}');
    expect(rules[5]!.expr).toMatch(
      /^sum_over_time\(slo:sli_error_events:rate5m\{[^}]+\}\[2h\]\)\n\/\nsum_over_time\(slo:sli_total_events:rate5m\{/,
    );
    expect(rules[5]!.labels?.sloth_window).toBe('2h');
    const alerts = file.groups[2]!.rules.filter(isAlertingRule);
    expect(alerts.map((a) => a.labels?.sloth_severity)).toEqual(['page', 'ticket']);
    expect(alerts[0]!.expr).toContain('(14.4 * 0.0004999999999999716)');
  });

  it('records a raw SLI from raw series for 5 minutes only, and averages that record over every longer window', () => {
    const rules = sloRules(DEFAULT_SLO_SPECS['gpu-fleet.yml']!, { version: 'test' }).groups[0]!.rules;
    expect(rules.map((r) => ('record' in r ? r.labels?.sloth_window : ''))).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
      '30d',
    ]);
    expect(rules[0]!.expr).toContain('DCGM_FI_DEV_GPU_UTIL');
    expect(rules[0]!.expr).toContain('[5m:1m]');
    for (const r of rules.slice(1)) {
      expect(r.expr).not.toContain('DCGM_FI_DEV_GPU_UTIL');
      expect(r.expr).toBe(
        `avg_over_time(slo:sli_error:ratio_rate5m{sloth_id="gpu-fleet-utilisation-in-band", sloth_service="gpu-fleet", sloth_slo="utilisation-in-band"}[${r.labels?.sloth_window}])\n`,
      );
    }
  });

  it('leaves out a disabled alert', () => {
    const file = sloRules(DEFAULT_SLO_SPECS['gpu-fleet.yml']!, { version: 'test' });
    const alerts = file.groups.flatMap((g) => g.rules).filter(isAlertingRule);
    expect(alerts.map((a) => a.labels?.sloth_severity)).toEqual(['ticket']);
  });
});
