export { GpuMetrics } from './gpu-metrics.js';
export { DEFAULT_MAX_GPU_SERIES } from './series-cap.js';
export type { GpuMetricNaming, GpuMetricsOptions, GpuScrapeResult } from './gpu-metrics.js';
export { gpuConfigFromEnv, gpuMetricsFromEnv } from './env-config.js';
export type { GpuEnvConfig, GpuEnvResult } from './env-config.js';
export { gpuResourceAttributes } from './resource-attributes.js';
export { DcgmExporterSource, DcgmExporterUrlError } from './sources/dcgm-exporter-source.js';
export type { DcgmExporterSourceOptions } from './sources/dcgm-exporter-source.js';
export { redactUrl } from './redact-url.js';
export { NvidiaSmiSource } from './sources/nvidia-smi-source.js';
export type { NvidiaSmiSourceOptions } from './sources/nvidia-smi-source.js';
export { FileSource } from './sources/file-source.js';
export { SimulatedSource, simulatedUtilization } from './sources/simulated-source.js';
export type { SimulatedSourceOptions } from './sources/simulated-source.js';
export { GpuSourceError, MAX_CAPTURE_BYTES } from './sources/source.js';
export type { GpuReadOptions, GpuScrapeErrorReason, GpuSource, GpuSourceKind } from './sources/source.js';
export { readCapture, UnrecognizedCaptureError } from './read-capture.js';
export type { CaptureReadOptions } from './capture-reader.js';
export type {
  DropReason,
  DroppedValue,
  GpuCaptureFormat,
  GpuSample,
  GpuSeries,
  MalformedLine,
  SeriesLeftOut,
} from './sample.js';
export * from './semconv.js';
export { DIAGNOSTICS_RECOVERY } from './diagnostics-recovery.js';
export type { DiagnosticsRecovery } from './diagnostics-recovery.js';
