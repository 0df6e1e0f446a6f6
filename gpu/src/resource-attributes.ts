import type { Attributes } from '@opentelemetry/api';
import { ATTR_GPU_SIMULATED, ATTR_GPU_SOURCE } from './semconv.js';
import type { GpuSource } from './sources/source.js';

/**
 * The resource attributes of a process that exports GPU series read from `source`: the source's
 * kind, and `presize.gpu.simulated` = true when the GPUs are the simulated ones. Where the series
 * come from holds for all of them, so it goes on the resource (`target_info` in Prometheus) once,
 * rather than as a label of every series; dcgm-exporter's own labels stay as they are.
 */
export function gpuResourceAttributes(source: GpuSource): Attributes {
  const attributes: Attributes = { [ATTR_GPU_SOURCE]: source.kind };
  if (source.kind === 'simulated') attributes[ATTR_GPU_SIMULATED] = true;
  return attributes;
}
