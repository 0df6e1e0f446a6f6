import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startPrometheus, type PrometheusHandle } from '../../tools/prometheus';
import { demoScenario, type Scenario } from './demo-scenario';
import { lruFamilies } from './lru-scenario';

const RULES = join(__dirname, '../../provisioning/prometheus/rules');
export const RULE_FILES = ['presize-map-risk.yml', 'presize-gpu-risk.yml', 'presize-lru-risk.yml', 'slo-device-logs.yml'].map((f) =>
  join(RULES, f)
);

export interface ScenarioPrometheus {
  prometheus: PrometheusHandle;
  scenario: Scenario;
  stop(): Promise<void>;
}

/**
 * A real Prometheus on 127.0.0.1 holding the last hour of the demo scenario and of its service's
 * lru-caches, backfilled with `promtool tsdb create-blocks-from openmetrics`, and evaluating the
 * generated rule files.
 */
export async function startScenarioPrometheus(): Promise<ScenarioPrometheus> {
  const storage = mkdtempSync(join(tmpdir(), 'presize-plugin-tsdb-'));
  try {
    // End a minute ago: every sample is history, and the rules' 5-minute windows still see the last ones.
    const scenario = demoScenario(Math.floor(Date.now() / 1000) - 60);
    const input = join(storage, 'scenario.om');
    writeFileSync(input, `${scenario.openMetrics.replace(/# EOF\n$/, '')}${lruFamilies(scenario.end)}# EOF\n`);
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, join(storage, 'data')], { stdio: 'pipe' });
    const prometheus = await startPrometheus({ storageDir: join(storage, 'data'), ruleFiles: RULE_FILES });
    return {
      prometheus,
      scenario,
      stop: async () => {
        await prometheus.stop();
        rmSync(storage, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(storage, { recursive: true, force: true });
    throw error;
  }
}
