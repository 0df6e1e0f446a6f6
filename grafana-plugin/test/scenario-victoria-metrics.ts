import { startVictoriaMetrics, type VictoriaMetricsHandle } from '../../tools/victoria-metrics';
import type { Scenario } from './demo-scenario';
import { RULE_FILES, storedScenario } from './stored-scenario';

export interface ScenarioVictoriaMetrics {
  victoriaMetrics: VictoriaMetricsHandle;
  scenario: Scenario;
  stop(): Promise<void>;
}

/**
 * A real VictoriaMetrics on 127.0.0.1 holding the same hour as the scenario Prometheus, imported
 * through /api/v1/import/prometheus with its timestamps, and a vmalert evaluating the same
 * generated rule files into it.
 */
export async function startScenarioVictoriaMetrics(): Promise<ScenarioVictoriaMetrics> {
  const victoriaMetrics = await startVictoriaMetrics({ ruleFiles: RULE_FILES });
  try {
    const { scenario, openMetrics } = storedScenario();
    await victoriaMetrics.importOpenMetrics(openMetrics);
    return { victoriaMetrics, scenario, stop: () => victoriaMetrics.stop() };
  } catch (error) {
    await victoriaMetrics.stop();
    throw error;
  }
}
