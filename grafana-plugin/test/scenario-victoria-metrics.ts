import { startVictoriaMetrics, type VictoriaMetricsHandle } from '../../tools/victoria-metrics';
import type { Scenario } from './demo-scenario';
import { RULE_FILES, storedScenario } from './stored-scenario';

const RULE_CHAIN_DEPTH = 4;

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
    // Long enough for the longest chain of recording rules (map inputs, factors, score, level).
    await victoriaMetrics.evaluations(RULE_CHAIN_DEPTH + 1);
    return { victoriaMetrics, scenario, stop: () => victoriaMetrics.stop() };
  } catch (error) {
    await victoriaMetrics.stop();
    throw error;
  }
}
