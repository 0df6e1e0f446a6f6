import { diag, DiagLogLevel } from '@opentelemetry/api';
import { gpuConfigFromEnv, gpuMetricsFromEnv } from '../src/env-config.js';
import { gpuResourceAttributes } from '../src/resource-attributes.js';
import { DEFAULT_MAX_GPU_SERIES } from '../src/series-cap.js';
import { DcgmExporterSource } from '../src/sources/dcgm-exporter-source.js';
import { FileSource } from '../src/sources/file-source.js';
import { NvidiaSmiSource } from '../src/sources/nvidia-smi-source.js';
import { SimulatedSource } from '../src/sources/simulated-source.js';

describe('PRESIZE_GPU_* environment', () => {
  it('is off when PRESIZE_GPU_SOURCE is unset or empty', () => {
    expect(gpuConfigFromEnv({})).toEqual({ config: undefined, problems: [] });
    expect(gpuConfigFromEnv({ PRESIZE_GPU_SOURCE: ' ' })).toEqual({ config: undefined, problems: [] });
  });

  it('builds each source', () => {
    const dcgm = gpuConfigFromEnv({
      PRESIZE_GPU_SOURCE: 'dcgm-exporter',
      PRESIZE_GPU_URL: 'http://10.0.0.5:9400/metrics',
      PRESIZE_GPU_INTERVAL_MS: '15000',
    });
    expect(dcgm.config?.source).toBeInstanceOf(DcgmExporterSource);
    expect(dcgm.config?.source.description).toBe('http://10.0.0.5:9400/metrics');
    expect(dcgm.config?.intervalMs).toBe(15000);
    expect(gpuConfigFromEnv({ PRESIZE_GPU_SOURCE: 'dcgm-exporter' }).config?.source.description).toBe(
      'http://127.0.0.1:9400/metrics',
    );
    expect(
      gpuConfigFromEnv({ PRESIZE_GPU_SOURCE: 'nvidia-smi', PRESIZE_GPU_NVIDIA_SMI: '/opt/bin/nvidia-smi' }).config
        ?.source,
    ).toEqual(expect.objectContaining({ binary: '/opt/bin/nvidia-smi' }));
    expect(gpuConfigFromEnv({ PRESIZE_GPU_SOURCE: 'nvidia-smi' }).config?.source).toBeInstanceOf(NvidiaSmiSource);
    expect(
      gpuConfigFromEnv({ PRESIZE_GPU_SOURCE: 'file', PRESIZE_GPU_FILE: '/tmp/x.prom' }).config?.source,
    ).toBeInstanceOf(FileSource);
    const simulated = gpuConfigFromEnv({
      PRESIZE_GPU_SOURCE: 'simulated',
      PRESIZE_GPU_NAMING: 'hw',
      PRESIZE_GPU_TIMEOUT_MS: '800',
    });
    expect(simulated.config?.source).toBeInstanceOf(SimulatedSource);
    expect(simulated.config).toMatchObject({ naming: 'hw', timeoutMs: 800 });
  });

  it.each([
    ['dcgm-exporter', { 'presize.gpu.source': 'dcgm-exporter' }],
    ['nvidia-smi', { 'presize.gpu.source': 'nvidia-smi' }],
    ['file', { 'presize.gpu.source': 'file' }],
    ['simulated', { 'presize.gpu.source': 'simulated', 'presize.gpu.simulated': true }],
  ])('PRESIZE_GPU_SOURCE=%s gives the resource attributes %j', (kind, attributes) => {
    const { config } = gpuConfigFromEnv({ PRESIZE_GPU_SOURCE: kind, PRESIZE_GPU_FILE: '/tmp/x.prom' });
    expect(gpuResourceAttributes(config!.source)).toEqual(attributes);
  });

  it.each([
    [
      { PRESIZE_GPU_SOURCE: 'dcgm' },
      'PRESIZE_GPU_SOURCE="dcgm" is not one of dcgm-exporter, nvidia-smi, file, simulated; GPU metrics are off',
    ],
    [
      { PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_INTERVAL_MS: '10s' },
      'PRESIZE_GPU_INTERVAL_MS="10s" is not a positive whole number of milliseconds; GPU metrics are off',
    ],
    [
      { PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_INTERVAL_MS: '0' },
      'PRESIZE_GPU_INTERVAL_MS="0" is not a positive whole number of milliseconds; GPU metrics are off',
    ],
    [
      { PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_TIMEOUT_MS: '-5' },
      'PRESIZE_GPU_TIMEOUT_MS="-5" is not a positive whole number of milliseconds; GPU metrics are off',
    ],
    [
      { PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_MAX_SERIES: '8k' },
      'PRESIZE_GPU_MAX_SERIES="8k" is not a positive whole number of series; GPU metrics are off',
    ],
    [
      { PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_MAX_SERIES: '0' },
      'PRESIZE_GPU_MAX_SERIES="0" is not a positive whole number of series; GPU metrics are off',
    ],
    [
      { PRESIZE_GPU_SOURCE: 'file' },
      'PRESIZE_GPU_SOURCE=file needs PRESIZE_GPU_FILE, the capture to replay; GPU metrics are off',
    ],
    [
      { PRESIZE_GPU_SOURCE: 'dcgm-exporter', PRESIZE_GPU_URL: 'localhost:9400' },
      'PRESIZE_GPU_URL="localhost:9400" is not an http(s) URL; GPU metrics are off',
    ],
    [
      { PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_NAMING: 'otel' },
      'PRESIZE_GPU_NAMING="otel" is not dcgm or hw; GPU metrics are off',
    ],
  ])('%j is refused with a problem naming the variable and its value', (env, problem) => {
    expect(gpuConfigFromEnv(env)).toEqual({ config: undefined, problems: [problem] });
  });

  it('gpuMetricsFromEnv reports problems through diag and returns undefined instead of throwing', () => {
    const errors: string[] = [];
    diag.setLogger(
      {
        error: (message: string) => errors.push(message),
        warn: () => undefined,
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true },
    );
    try {
      expect(gpuMetricsFromEnv({ PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_INTERVAL_MS: 'soon' })).toBeUndefined();
    } finally {
      diag.disable();
    }
    expect(errors).toEqual([
      'PRESIZE_GPU_INTERVAL_MS="soon" is not a positive whole number of milliseconds; GPU metrics are off',
    ]);
  });

  it('gpuMetricsFromEnv gives unstarted GPU metrics with the configured interval', async () => {
    const gpu = gpuMetricsFromEnv({ PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_INTERVAL_MS: '2500' });
    expect(gpu?.intervalMs).toBe(2500);
    expect(gpu?.timeoutMs).toBe(2500);
    expect((await gpu?.collect())?.resourceMetrics.scopeMetrics).toEqual([]);
    await gpu?.stop();
  });

  it('gpuMetricsFromEnv caps the GPU series at PRESIZE_GPU_MAX_SERIES, else at the default', () => {
    expect(gpuMetricsFromEnv({ PRESIZE_GPU_SOURCE: 'simulated', PRESIZE_GPU_MAX_SERIES: ' 512 ' })?.maxSeries).toBe(
      512,
    );
    expect(gpuMetricsFromEnv({ PRESIZE_GPU_SOURCE: 'simulated' })?.maxSeries).toBe(DEFAULT_MAX_GPU_SERIES);
  });
});
