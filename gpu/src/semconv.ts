/**
 * Names of the GPU telemetry Presize adds to the DCGM fields. They are a contract: the Prometheus
 * names derived from them are listed in docs/telemetry.md (## GPU metrics).
 */

/** Instrumentation scope of every GPU instrument and of the bridged DCGM series. */
export const GPU_SCOPE_NAME = '@presize/instrumentation/gpu';

/** 1 while the last read of the source gave values, 0 after a failed read. */
export const METRIC_GPU_UP = 'presize.gpu.up';
/** Seconds the last read of the source took, successful or not. */
export const METRIC_GPU_SCRAPE_DURATION = 'presize.gpu.scrape.duration';
/** Failed reads, by `error.type`. */
export const METRIC_GPU_SCRAPE_ERRORS = 'presize.gpu.scrape.errors';
/** Values read but not exported: DCGM blank sentinels, utilisation outside 0..100 %, NaN/Inf, samples of metrics that are not DCGM fields. */
export const METRIC_GPU_DROPPED_VALUES = 'presize.gpu.dropped_values';
/** Capture lines skipped because they break their format. */
export const METRIC_GPU_MALFORMED_LINES = 'presize.gpu.malformed_lines';
/** Number of GPU series the last successful read exports. */
export const METRIC_GPU_SERIES = 'presize.gpu.series';

/**
 * `dcgm-exporter`, `nvidia-smi`, `file` or `simulated`: on the scrape-health series, and as a
 * resource attribute of a process that exports GPU series (see gpuResourceAttributes).
 */
export const ATTR_GPU_SOURCE = 'presize.gpu.source';
/** What the source reads: the dcgm-exporter URL, the nvidia-smi binary, the capture's path. */
export const ATTR_GPU_SOURCE_TARGET = 'presize.gpu.source.target';
/** `blank_sentinel`, `utilization_out_of_range`, `not_finite`, `not_dcgm_field` or `series_cap`. */
export const ATTR_GPU_DROP_REASON = 'presize.gpu.drop.reason';
/** The DCGM field a dropped value belonged to; for `not_dcgm_field`, the metric's name in the scrape. */
export const ATTR_GPU_FIELD = 'presize.gpu.field';
/** Class of a failed read on `presize.gpu.scrape.errors`: OpenTelemetry's general `error.type`. */
export const ATTR_GPU_SCRAPE_ERROR_TYPE = 'error.type';
/** Resource attribute, `true` when the process's GPU series come from the simulated source. */
export const ATTR_GPU_SIMULATED = 'presize.gpu.simulated';
/** MIG profile (dcgm-exporter's GPU_I_PROFILE) under the hw.* naming. */
export const ATTR_GPU_MIG_PROFILE = 'presize.gpu.mig.profile';
