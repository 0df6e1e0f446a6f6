/** "Save & test": the API answers through Grafana's proxy, and it holds Presize metrics. */
import type { TestDataSourceResponse } from '@grafana/data';
import { DCGM_GPU_UTIL } from '@presize/definitions';

import { MAP_METRIC_NAMES } from './core/names';
import type { PrometheusApi } from './core/prometheus-api';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function checkHealth(
  api: PrometheusApi,
  configuredUrl: string | undefined
): Promise<TestDataSourceResponse> {
  if (!configuredUrl) {
    return {
      status: 'error',
      message: 'Enter the URL of a Prometheus-compatible API (Prometheus, Mimir, Thanos or VictoriaMetrics).',
    };
  }
  let version: string | undefined;
  try {
    ({ version } = await api.buildInfo());
  } catch (error) {
    return { status: 'error', message: `Cannot use ${configuredUrl}: ${errorText(error)}` };
  }
  const server = version ? `Prometheus API ${version}` : 'the Prometheus API';
  try {
    const now = Date.now();
    const [maps, gpus] = await Promise.all([
      api.instant(`count(${MAP_METRIC_NAMES.entries})`, now),
      api.instant(`count(${DCGM_GPU_UTIL})`, now),
    ]);
    const mapCount = maps[0]?.value ?? 0;
    const gpuCount = gpus[0]?.value ?? 0;
    if (mapCount === 0 && gpuCount === 0) {
      return {
        status: 'error',
        message:
          `Connected to ${server}, but it holds no Presize metrics (${MAP_METRIC_NAMES.entries}) and no GPU metrics ` +
          `(${DCGM_GPU_UTIL}). Start the services with \`node --import @presize/auto-instrumentation/register\` and ` +
          'make sure Prometheus scrapes them.',
      };
    }
    return {
      status: 'success',
      message: `Connected to ${server}: ${mapCount} presized map${mapCount === 1 ? '' : 's'} and ${gpuCount} GPU${gpuCount === 1 ? '' : 's'} reporting.`,
    };
  } catch (error) {
    return { status: 'error', message: `Connected to ${server}, but a query failed: ${errorText(error)}` };
  }
}
