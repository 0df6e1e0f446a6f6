import { composeFiles } from './compose.js';
import { dashboardFiles } from './dashboards/index.js';
import { dcgmCountersFiles } from './dcgm-counters.js';
import { grafanaFiles } from './grafana.js';
import type { GeneratedFile } from './output.js';
import { prometheusFiles, ruleFileSets } from './prometheus.js';
import { runbookFiles } from './runbooks.js';
import { defaultSloFiles, readSloSpecs } from './slo-files.js';

/** Every generated file, from the definitions and the SLO specifications under `root`. */
export function generateAll(root: string): GeneratedFile[] {
  const slos = defaultSloFiles();
  const specs = readSloSpecs(root, slos);
  return [
    ...slos,
    ...prometheusFiles(specs),
    ...grafanaFiles(ruleFileSets(specs)),
    ...dashboardFiles(),
    ...dcgmCountersFiles(),
    ...runbookFiles(),
    ...composeFiles(),
  ];
}
