import { startPrometheus } from './tools/prometheus.ts';
const dir = '/tmp/slo-cost-bench';
const files = (d: string) => ['slo-gpu-fleet', 'slo-device-logs', 'slo-inference'].map((f) => `${d}/${f}.yml`);
// The fleet's blocks reach 15 minutes past now, so that 5-minute rates have samples; recorded samples
// at now are then older than the blocks' end and need the out-of-order window.
const config = (rules: string[]) => ['global:', '  evaluation_interval: 15s', 'storage:', '  tsdb:', '  out_of_order_time_window: 1h'.replace('  out', '    out'), 'rule_files:', ...rules.map((r) => `  - ${JSON.stringify(r)}`)].join('\n') + '\n';
const stores = await Promise.all([
  startPrometheus({ storageDir: `${dir}/prom-before`, config: config(files(`${dir}/before-rules`)), retention: '30d', lookbackDelta: '1h' }),
  startPrometheus({ storageDir: `${dir}/prom-after`, config: config(files(`${process.cwd()}/provisioning/prometheus/rules`)), retention: '30d', lookbackDelta: '1h' }),
]);
const names = ['before', 'after'];
const seen = stores.map(() => new Map<string, Map<string, number>>());
const until = Date.now() + 150_000;
while (Date.now() < until) {
  for (const [i, s] of stores.entries()) {
    const body = (await (await fetch(`${s.url}/api/v1/rules`)).json()) as { data: { groups: { name: string; lastEvaluation: string; evaluationTime: number }[] } };
    for (const g of body.data.groups) {
      if (g.lastEvaluation.startsWith('0001')) continue;
      const m = seen[i]!.get(g.name) ?? new Map();
      m.set(g.lastEvaluation, g.evaluationTime * 1000);
      seen[i]!.set(g.name, m);
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
for (const [i, m] of seen.entries()) for (const [g, evals] of m) {
  const ms = [...evals.values()].slice(1);
  console.log(names[i], g, `evaluations ${ms.length}`, `median ${median(ms).toFixed(1)} ms`, ms.map((x) => x.toFixed(0)).join(' '));
}
// a sample of the recorded ratios, to compare meaning
for (const [i, s] of stores.entries()) {
  const r = (await (await fetch(`${s.url}/api/v1/query?query=${encodeURIComponent('{__name__=~"slo:sli_error:ratio_rate.*"}')}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  console.log(names[i], r.data.result.map((x) => `${x.metric.sloth_id} ${x.metric.sloth_window}=${Number(x.value[1]).toFixed(4)}`).join('; '));
}
await Promise.all(stores.map((s) => s.stop()));
