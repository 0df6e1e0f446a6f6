/**
 * The stores the datasource's integration tests run against, each holding the same scenario and
 * evaluating the same generated rules: Prometheus, and VictoriaMetrics with vmalert.
 */
import type { QueryApi } from '../../tools/query-api';
import type { Scenario } from './demo-scenario';
import { startScenarioPrometheus } from './scenario-prometheus';
import { startScenarioVictoriaMetrics } from './scenario-victoria-metrics';

export interface ScenarioStore {
  tsdb: QueryApi & { url: string };
  scenario: Scenario;
  stop(): Promise<void>;
}

export interface ScenarioBackend {
  name: string;
  start(): Promise<ScenarioStore>;
  /** How Save & test names the server: the version comes from its buildinfo, which VictoriaMetrics leaves empty. */
  server: RegExp;
  /** The error type the server gives a query it cannot parse. */
  parseErrorType: string;
  /**
   * Relative error of a value read back from storage: Prometheus keeps float64 samples as they are;
   * VictoriaMetrics keeps about 12 significant digits, so a recorded score can differ from the same
   * expression computed at query time in its last digits.
   */
  storedRelativeError: number;
}

export const SCENARIO_BACKENDS: ScenarioBackend[] = [
  {
    name: 'Prometheus',
    start: async () => {
      const { prometheus, scenario, stop } = await startScenarioPrometheus();
      return { tsdb: prometheus, scenario, stop };
    },
    server: /Prometheus API 2\.\d+\.\d+[^:]*/,
    parseErrorType: 'bad_data',
    storedRelativeError: 0,
  },
  {
    name: 'VictoriaMetrics',
    start: async () => {
      const { victoriaMetrics, scenario, stop } = await startScenarioVictoriaMetrics();
      return { tsdb: victoriaMetrics, scenario, stop };
    },
    server: /the Prometheus API/,
    parseErrorType: '422',
    storedRelativeError: 1e-11,
  },
];
