import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  openMetricsToPrometheusText,
  startVictoriaMetrics,
  type VictoriaMetricsHandle,
} from '../tools/victoria-metrics.js';
import { startExpositionTarget, type ExpositionTarget } from './support/exposition-target.js';

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

describe('openMetricsToPrometheusText', () => {
  it('turns second timestamps into milliseconds and keeps label values with spaces and braces intact', () => {
    const text = [
      '# TYPE probe gauge',
      'probe{a="x y",b="} 1 2"} 7 1700000000',
      'probe{a="z"} 8 1700000000.25',
      'bare 3 1700000001',
      'untimed{a="1 2"} 4',
      '# EOF',
      '',
    ].join('\n');
    expect(openMetricsToPrometheusText(text)).toBe(
      [
        'probe{a="x y",b="} 1 2"} 7 1700000000000',
        'probe{a="z"} 8 1700000000250',
        'bare 3 1700000001000',
        'untimed{a="1 2"} 4',
        '',
      ].join('\n'),
    );
  });

  it('names a line whose timestamp is not a number', () => {
    expect(() => openMetricsToPrometheusText('probe{a="1"} 7 soon\n')).toThrow(
      'not an OpenMetrics sample timestamp: probe{a="1"} 7 soon',
    );
  });
});

describe('tools/victoria-metrics: victoria-metrics, vmagent and vmalert on 127.0.0.1', () => {
  let target: ExpositionTarget;
  let rulesDir: string;
  let vm: VictoriaMetricsHandle;

  beforeAll(async () => {
    target = await startExpositionTarget('# TYPE launcher_probe gauge\nlauncher_probe{side="left"} 7\n');
    rulesDir = mkdtempSync(join(tmpdir(), 'presize-vm-rules-'));
    writeFileSync(
      join(rulesDir, 'probe.yml'),
      [
        'groups:',
        '  - name: probe',
        '    rules:',
        '      - record: probe:doubled',
        '        expr: launcher_probe * 2',
        '      - alert: ProbeHigh',
        '        expr: launcher_probe > 5',
        '        labels: { severity: warning }',
        '        annotations: { summary: "probe at {{ $value }}" }',
        '',
      ].join('\n'),
    );
    vm = await startVictoriaMetrics({
      scrape: [{ job: 'probe', target: target.target }],
      ruleFiles: [join(rulesDir, 'probe.yml')],
    });
  }, 60_000);

  afterAll(async () => {
    await vm?.stop();
    await target?.close();
    rmSync(rulesDir, { recursive: true, force: true });
  }, 60_000);

  it('stores what vmagent scrapes, with the job and instance labels Prometheus would give it', async () => {
    const [sample] = await vm.waitFor('launcher_probe', (result) => result.length === 1, 20_000);
    expect(sample).toEqual({
      metric: { __name__: 'launcher_probe', job: 'probe', instance: target.target, side: 'left' },
      value: 7,
    });
  }, 30_000);

  it('evaluates recording rules in vmalert and sends its alerts to the notifier', async () => {
    await vm.evaluations(2, 20_000);
    const [recorded] = await vm.waitFor('probe:doubled', (result) => result.length === 1, 20_000);
    expect(recorded?.value).toBe(14);
    const deadline = Date.now() + 20_000;
    while (!vm.alerts().some((alert) => alert.labels.alertname === 'ProbeHigh') && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 250));
    }
    expect(vm.alerts().find((alert) => alert.labels.alertname === 'ProbeHigh')).toMatchObject({
      labels: { alertname: 'ProbeHigh', severity: 'warning', side: 'left', job: 'probe' },
      annotations: { summary: 'probe at 7' },
    });
  }, 30_000);

  it('imports samples with their own timestamps', async () => {
    const at = Math.floor(Date.now() / 1000) - 3_600;
    await vm.importOpenMetrics(`# TYPE imported gauge\nimported{k="v"} 5 ${at - 60}\nimported{k="v"} 6 ${at}\n# EOF\n`);
    expect(await vm.query('imported', new Date(at * 1000))).toEqual([
      { metric: { __name__: 'imported', k: 'v' }, value: 6 },
    ]);
    expect(await vm.query('imported', new Date((at - 30) * 1000))).toEqual([
      { metric: { __name__: 'imported', k: 'v' }, value: 5 },
    ]);
  });

  it('turns a rejected query into an error that quotes VictoriaMetrics and the query', async () => {
    await expect(vm.query('sum(')).rejects.toThrow(/VictoriaMetrics rejected the query \(422\).*\n  query: sum\(/s);
  });
});

describe('tools/victoria-metrics: stop', () => {
  it('ends all three processes and removes the temporary directory', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'presize-vm-tmp-'));
    const previous = process.env.TMPDIR;
    const target = await startExpositionTarget('up_probe 1\n');
    process.env.TMPDIR = tmp;
    try {
      const rules = join(tmp, 'rules.yml');
      writeFileSync(rules, 'groups:\n  - name: r\n    rules:\n      - record: r:one\n        expr: vector(1)\n');
      const vm = await startVictoriaMetrics({ scrape: [{ job: 'p', target: target.target }], ruleFiles: [rules] });
      process.env.TMPDIR = previous;
      const urls = [vm.url, vm.vmagentUrl!, vm.vmalertUrl!];
      for (const url of urls) expect({ url, answers: await answers(`${url}/health`) }).toEqual({ url, answers: true });
      await vm.stop();
      for (const url of urls) expect({ url, answers: await answers(`${url}/health`) }).toEqual({ url, answers: false });
      expect(readdirSync(tmp).filter((name) => name.startsWith('presize-victoria-metrics-'))).toEqual([]);
    } finally {
      process.env.TMPDIR = previous;
      await target.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
