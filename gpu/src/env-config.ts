import { diag, type MeterProvider } from '@opentelemetry/api';
import { hostname } from 'node:os';
import { GpuMetrics, type GpuMetricNaming } from './gpu-metrics.js';
import { parseHeaderList } from './header-list.js';
import { DcgmExporterSource, DcgmExporterUrlError } from './sources/dcgm-exporter-source.js';
import { FileSource } from './sources/file-source.js';
import { NvidiaSmiSource } from './sources/nvidia-smi-source.js';
import { SimulatedSource } from './sources/simulated-source.js';
import type { GpuSource } from './sources/source.js';

/**
 * The environment variables of the GPU metrics:
 * - PRESIZE_GPU_SOURCE: dcgm-exporter | nvidia-smi | file | simulated (unset: no GPU metrics)
 * - PRESIZE_GPU_URL: dcgm-exporter's metrics URL (default http://127.0.0.1:9400/metrics); shown
 *   without its query string, refused when it carries a user or password
 * - PRESIZE_GPU_HEADERS: headers sent to dcgm-exporter, as `name=value` pairs separated by commas,
 *   values percent-encoded (`authorization=Bearer%20abc`); never shown
 * - PRESIZE_GPU_FILE: the capture to replay (source file)
 * - PRESIZE_GPU_INTERVAL_MS: time between reads (default 10000)
 * - PRESIZE_GPU_TIMEOUT_MS: longest a read may take (default the interval, at most 5000)
 * - PRESIZE_GPU_NVIDIA_SMI: the nvidia-smi binary (default nvidia-smi on PATH)
 * - PRESIZE_GPU_NAMING: dcgm (default) | hw
 * - PRESIZE_GPU_MAX_SERIES: GPU series exported per read (default 8192)
 */
export interface GpuEnvConfig {
  readonly source: GpuSource;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly naming: GpuMetricNaming;
  readonly maxSeries?: number;
}

export type GpuEnvResult = { readonly config: GpuEnvConfig | undefined; readonly problems: readonly string[] };

const SOURCES = ['dcgm-exporter', 'nvidia-smi', 'file', 'simulated'] as const;
const DEFAULT_DCGM_EXPORTER_URL = 'http://127.0.0.1:9400/metrics';

function positiveInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  what: 'milliseconds' | 'series',
  problems: string[],
): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    problems.push(
      `${name}=${JSON.stringify(env[name])} is not a positive whole number of ${what}; GPU metrics are off`,
    );
    return undefined;
  }
  return Number(raw);
}

/** Reads the PRESIZE_GPU_* variables; every bad value is a problem naming the variable and its value. */
export function gpuConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GpuEnvResult {
  const problems: string[] = [];
  const kind = env['PRESIZE_GPU_SOURCE']?.trim();
  if (kind === undefined || kind === '') return { config: undefined, problems };
  if (!(SOURCES as readonly string[]).includes(kind)) {
    problems.push(
      `PRESIZE_GPU_SOURCE=${JSON.stringify(env['PRESIZE_GPU_SOURCE'])} is not one of ${SOURCES.join(', ')}; GPU metrics are off`,
    );
    return { config: undefined, problems };
  }
  const intervalMs = positiveInteger(env, 'PRESIZE_GPU_INTERVAL_MS', 'milliseconds', problems);
  const timeoutMs = positiveInteger(env, 'PRESIZE_GPU_TIMEOUT_MS', 'milliseconds', problems);
  const maxSeries = positiveInteger(env, 'PRESIZE_GPU_MAX_SERIES', 'series', problems);
  const namingRaw = env['PRESIZE_GPU_NAMING']?.trim() || 'dcgm';
  if (namingRaw !== 'dcgm' && namingRaw !== 'hw') {
    problems.push(
      `PRESIZE_GPU_NAMING=${JSON.stringify(env['PRESIZE_GPU_NAMING'])} is not dcgm or hw; GPU metrics are off`,
    );
  }
  let source: GpuSource | undefined;
  switch (kind as (typeof SOURCES)[number]) {
    case 'dcgm-exporter': {
      const url = env['PRESIZE_GPU_URL']?.trim() || DEFAULT_DCGM_EXPORTER_URL;
      const headerList = parseHeaderList(env['PRESIZE_GPU_HEADERS'] ?? '');
      if ('problem' in headerList) {
        problems.push(
          `PRESIZE_GPU_HEADERS: ${headerList.problem}; expected name=value pairs separated by commas, values percent-encoded; GPU metrics are off`,
        );
        break;
      }
      try {
        source = new DcgmExporterSource(url, { headers: headerList.headers });
      } catch (error) {
        if (!(error instanceof DcgmExporterUrlError)) throw error;
        problems.push(`PRESIZE_GPU_URL=${error.detail}; GPU metrics are off`);
      }
      break;
    }
    case 'nvidia-smi':
      source = new NvidiaSmiSource({
        binary: env['PRESIZE_GPU_NVIDIA_SMI']?.trim() || 'nvidia-smi',
        hostname: hostname(),
      });
      break;
    case 'file': {
      const path = env['PRESIZE_GPU_FILE']?.trim();
      if (path) source = new FileSource(path);
      else problems.push('PRESIZE_GPU_SOURCE=file needs PRESIZE_GPU_FILE, the capture to replay; GPU metrics are off');
      break;
    }
    case 'simulated':
      source = new SimulatedSource();
      break;
  }
  if (problems.length > 0 || source === undefined) return { config: undefined, problems };
  return {
    config: {
      source,
      naming: namingRaw as GpuMetricNaming,
      ...(intervalMs === undefined ? {} : { intervalMs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(maxSeries === undefined ? {} : { maxSeries }),
    },
    problems,
  };
}

/**
 * GPU metrics as the PRESIZE_GPU_* variables say, not started yet; undefined when
 * PRESIZE_GPU_SOURCE is unset or a variable is bad (each problem is reported through the
 * OpenTelemetry diag logger; nothing is thrown). The result is a MetricProducer: pass it in the
 * `metricProducers` of the MetricReader(s) that export the service's metrics, start the SDK, then
 * call `start()` so its health instruments land on the SDK's MeterProvider.
 */
export function gpuMetricsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  meterProvider?: MeterProvider,
): GpuMetrics | undefined {
  const { config, problems } = gpuConfigFromEnv(env);
  for (const problem of problems) diag.error(problem);
  if (!config) return undefined;
  try {
    return new GpuMetrics({ ...config, ...(meterProvider === undefined ? {} : { meterProvider }) });
  } catch (error) {
    diag.error(`GPU metrics could not be set up: ${(error as Error).message}`);
    return undefined;
  }
}
