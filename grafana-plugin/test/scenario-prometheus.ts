import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startPrometheus, type PrometheusHandle } from '../../tools/prometheus';
import type { Scenario } from './demo-scenario';
import { RULE_FILES, storedScenario } from './stored-scenario';

export { RULE_FILES } from './stored-scenario';

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
    const { scenario, openMetrics } = storedScenario();
    const input = join(storage, 'scenario.om');
    writeFileSync(input, openMetrics);
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, join(storage, 'data')], {
      stdio: 'pipe',
    });
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
