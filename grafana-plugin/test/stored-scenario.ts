/**
 * What every backend of the integration tests holds: the incident scenario and its service's
 * lru-caches, ending a minute before `nowSeconds` so that every sample is history and the rules'
 * 5-minute windows still see the last ones.
 */
import { join } from 'node:path';

import { demoScenario, type Scenario } from './demo-scenario';
import { lruFamilies } from './lru-scenario';

const RULES = join(__dirname, '../../provisioning/prometheus/rules');
/** The generated rule files the scenario exercises, loaded unchanged by Prometheus and by vmalert. */
export const RULE_FILES = [
  'presize-map-risk.yml',
  'presize-gpu-risk.yml',
  'presize-lru-risk.yml',
  'slo-device-logs.yml',
].map((f) => join(RULES, f));

export function storedScenario(nowSeconds = Math.floor(Date.now() / 1000)): {
  scenario: Scenario;
  openMetrics: string;
} {
  const scenario = demoScenario(nowSeconds - 60);
  return {
    scenario,
    openMetrics: `${scenario.openMetrics.replace(/# EOF\n$/, '')}${lruFamilies(scenario.end)}# EOF\n`,
  };
}
