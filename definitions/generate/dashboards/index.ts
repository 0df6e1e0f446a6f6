import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { jsonFile, type GeneratedFile } from '../output.js';
import { gpuDashboard } from './gpu.js';
import { importable } from './importable.js';
import { mapGrowthDashboard } from './map-growth.js';
import { riskMapDashboard } from './risk-map.js';
import { sloOverviewDashboard } from './slo-overview.js';

export const DASHBOARDS_DIR = 'dashboards';

export function dashboardFiles(): GeneratedFile[] {
  const all: [string, Dashboard][] = [
    ['map-growth.json', mapGrowthDashboard()],
    ['gpu-utilisation.json', gpuDashboard()],
    ['risk-map.json', riskMapDashboard()],
    ['slo-overview.json', sloOverviewDashboard()],
  ];
  return all.map(([name, d]) => jsonFile(`${DASHBOARDS_DIR}/${name}`, importable(d)));
}
