// The long SLO windows are built from recorded 5-minute event rates: a window's error ratio must be
// its bad events over all its events, so a quiet hour full of errors followed by a busy clean hour
// gives a small ratio, where an average of the 5-minute ratios would give half the quiet hour's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { INFERENCE_METRICS as M, JOBS, sloId } from '../../definitions/src/index';

const RULES = resolve(__dirname, '../../provisioning/prometheus/rules/slo-inference.yml');
const PROMTOOL_TIMEOUT_MS = 120_000;
const ID = sloId('inference', 'requests-availability');
const MINUTES = 120;

/** A counter, one sample a minute, growing by perMinute(minute) each minute. */
function counter(labels: Record<string, string>, perMinute: (minute: number) => number) {
  let total = 0;
  const values = Array.from({ length: MINUTES }, (_, minute) => (total += minute === 0 ? 0 : perMinute(minute)));
  const inner = Object.entries({ job: JOBS.inference, ...labels })
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return { series: `${M.requestDuration}_count{${inner}}`, values: values.join(' ') };
}

const quiet = (minute: number) => minute < MINUTES / 2;

it(
  'a long window divides summed bad events by summed events, not the mean of the 5-minute ratios',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'presize-slo-weighting-'));
    try {
      const once = (expr: string) => ({ expr, eval_time: `${MINUTES - 1}m`, exp_samples: [{ labels: '{}', value: 1 }] });
      writeFileSync(
        join(dir, 'test.yml'),
        stringify({
          rule_files: [RULES],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              // First hour: 100 requests a minute, half of them failing; second hour: 10,000, none failing.
              input_series: [
                counter({ [M.statusCodeLabel]: '503' }, (m) => (quiet(m) ? 50 : 0)),
                counter({ [M.statusCodeLabel]: '200' }, (m) => (quiet(m) ? 50 : 10_000)),
              ],
              promql_expr_test: [
                // About 3,000 bad of 603,000 requests: 0.5 %.
                once(`count(slo:sli_error:ratio_rate2h{sloth_id="${ID}"} > 0.003 < 0.01)`),
                // The mean of the recorded 5-minute ratios, which the window must not be: about 25 %.
                once(`count(avg_over_time(slo:sli_error:ratio_rate5m{sloth_id="${ID}"}[2h]) > 0.2)`),
              ],
            },
          ],
        }),
      );
      const run = spawnSync('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
      if (run.error) throw new Error(`promtool could not run (apt-get install prometheus): ${run.error.message}`);
      expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({
        status: 0,
        output: expect.stringContaining('SUCCESS'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  PROMTOOL_TIMEOUT_MS,
);
