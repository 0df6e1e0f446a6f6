// The demo's Prometheus runs the provisioned prometheus.yml, the one Docker Compose mounts, so that
// what a newcomer sees is what the project ships: its global settings, rule files and alerting stay
// as they are. Only its scrape jobs go, because they name Compose's hosts (demo:9464); the demo's
// services on 127.0.0.1 take their place.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPOSITORY_ROOT } from './service.js';

export const PROVISIONED_CONFIG = resolve(REPOSITORY_ROOT, 'provisioning/prometheus/prometheus.yml');

/**
 * Time between scrapes of a demo service. Compose's intervals of 5 s and more would leave a run of
 * a few seconds with one or two points, and the demo waits two scrapes past the load before it reads.
 */
export const DEMO_SCRAPE_INTERVAL = '1s';

export interface DemoScrapeJob {
  job: string;
  /** host:port of the service's /metrics. */
  target: string;
}

export interface DemoPrometheusConfig {
  /** The configuration to run, as YAML. */
  yaml: string;
  /** The provisioned rule files, as absolute paths (or globs). */
  ruleFiles: string[];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function demoPrometheusConfig(
  jobs: readonly DemoScrapeJob[],
  provisionedFile: string = PROVISIONED_CONFIG,
): DemoPrometheusConfig {
  const provisioned: unknown = parse(readFileSync(provisionedFile, 'utf8'));
  if (!isMapping(provisioned))
    throw new Error(`${provisionedFile} is not a Prometheus configuration: its top level is not a mapping`);
  const listed = provisioned.rule_files ?? [];
  if (!Array.isArray(listed) || !listed.every((file): file is string => typeof file === 'string')) {
    throw new Error(`${provisionedFile}: rule_files is not a list of file names`);
  }
  // Prometheus resolves rule files from the directory of its configuration, and the demo's
  // configuration is written to a temporary directory.
  const ruleFiles = listed.map((file) => resolve(dirname(provisionedFile), file));
  const config = {
    ...provisioned,
    ...(ruleFiles.length > 0 ? { rule_files: ruleFiles } : {}),
    scrape_configs: jobs.map(({ job, target }) => ({
      job_name: job,
      scrape_interval: DEMO_SCRAPE_INTERVAL,
      scrape_timeout: DEMO_SCRAPE_INTERVAL,
      static_configs: [{ targets: [target] }],
    })),
  };
  return { yaml: stringify(config, { lineWidth: 0 }), ruleFiles };
}
