import type { Attributes } from '@opentelemetry/api';
import { dcgmField } from './dcgm-fields.js';
import { dcgmKind } from './dcgm-naming.js';
import { forEachInSlices } from './event-loop-turn.js';
import type { ExportPoint } from './export-point.js';
import type { GpuSample, GpuSeries } from './sample.js';
import { ATTR_GPU_MIG_PROFILE } from './semconv.js';

const MIB = 1024 * 1024;

/** OpenTelemetry hardware attributes of the GPU (or MIG instance) a series belongs to. */
export function hwAttributes(labels: Readonly<Record<string, string>>): Attributes {
  const gpuId = labels['UUID'] ?? `gpu${labels['gpu'] ?? ''}`;
  const instance = labels['GPU_I_ID'];
  const attributes: Attributes = {
    'hw.id': instance === undefined ? gpuId : `${gpuId}/gi${instance}`,
    'hw.type': 'gpu',
    'hw.name': labels['device'] ?? `gpu${labels['gpu'] ?? ''}`,
    'hw.vendor': 'NVIDIA',
  };
  const copy = (from: string, to: string): void => {
    const value = labels[from];
    if (value !== undefined && value !== '') attributes[to] = value;
  };
  if (instance !== undefined) attributes['hw.parent'] = gpuId;
  copy('modelName', 'hw.model');
  copy('DCGM_FI_DRIVER_VERSION', 'hw.driver_version');
  copy('Hostname', 'host.name');
  copy('hostname', 'host.name');
  copy('pod', 'k8s.pod.name');
  copy('namespace', 'k8s.namespace.name');
  copy('container', 'k8s.container.name');
  copy('GPU_I_PROFILE', ATTR_GPU_MIG_PROFILE);
  return attributes;
}

type Mapped = (series: GpuSeries, attributes: Attributes) => ExportPoint;

const utilization =
  (task: string): Mapped =>
  (series, attributes) => ({
    name: 'hw.gpu.utilization',
    description: 'Fraction of time spent in a specific task.',
    unit: '1',
    kind: 'gauge',
    attributes: { ...attributes, 'hw.gpu.task': task },
    value: series.value / 100,
  });

const temperature =
  (location: string): Mapped =>
  (series, attributes) => ({
    name: 'hw.temperature',
    description: 'Temperature in degrees Celsius.',
    unit: 'Cel',
    kind: 'gauge',
    attributes: { ...attributes, 'hw.sensor_location': location },
    value: series.value,
  });

const errors =
  (type: string): Mapped =>
  (series, attributes) => ({
    name: 'hw.errors',
    description: 'Number of errors encountered by the component.',
    unit: '{error}',
    kind: 'counter',
    attributes: { ...attributes, 'error.type': type },
    value: series.value,
  });

const HW_FIELDS: Readonly<Record<string, Mapped>> = {
  DCGM_FI_DEV_GPU_UTIL: utilization('general'),
  DCGM_FI_DEV_ENC_UTIL: utilization('encoder'),
  DCGM_FI_DEV_DEC_UTIL: utilization('decoder'),
  DCGM_FI_DEV_FB_USED: (series, attributes) => ({
    name: 'hw.gpu.memory.usage',
    description: 'GPU memory used.',
    unit: 'By',
    kind: 'updown',
    attributes,
    value: series.value * MIB,
  }),
  DCGM_FI_DEV_POWER_USAGE: (series, attributes) => ({
    name: 'hw.power',
    description: 'Instantaneous power consumed by the component.',
    unit: 'W',
    kind: 'gauge',
    attributes,
    value: series.value,
  }),
  DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION: (series, attributes) => ({
    name: 'hw.energy',
    description: 'Energy consumed by the component.',
    unit: 'J',
    kind: 'counter',
    attributes,
    value: series.value / 1000,
  }),
  DCGM_FI_DEV_GPU_TEMP: temperature('gpu'),
  DCGM_FI_DEV_MEMORY_TEMP: temperature('memory'),
  DCGM_FI_DEV_PCIE_REPLAY_COUNTER: errors('pcie_replay'),
  DCGM_FI_DEV_ECC_SBE_VOL_TOTAL: errors('ecc_corrected'),
  DCGM_FI_DEV_ECC_DBE_VOL_TOTAL: errors('ecc_uncorrected'),
};

/**
 * OpenTelemetry hardware semantic-convention naming (hw.gpu.*, hw.power, hw.energy,
 * hw.temperature, hw.errors) with hw.id / hw.type attributes. Memory limit and utilisation are
 * derived from the framebuffer fields. A DCGM field with no semantic convention keeps its DCGM
 * name, with the hw.* attributes; counters are monotonic Sums here. A slice of series at a time
 * (see forEachInSlices).
 */
export async function hwExportPoints(sample: GpuSample, signal: AbortSignal): Promise<ExportPoint[]> {
  const points: ExportPoint[] = [];
  const framebuffer = new Map<Readonly<Record<string, string>>, Record<string, number>>();
  const attributesOf = new Map<Readonly<Record<string, string>>, Attributes>();
  const add = (series: GpuSeries): void => {
    let attributes = attributesOf.get(series.labels);
    if (!attributes) {
      attributes = hwAttributes(series.labels);
      attributesOf.set(series.labels, attributes);
    }
    if (series.field.startsWith('DCGM_FI_DEV_FB_')) {
      const fields = framebuffer.get(series.labels) ?? {};
      fields[series.field] = series.value;
      framebuffer.set(series.labels, fields);
    }
    const mapped = Object.prototype.hasOwnProperty.call(HW_FIELDS, series.field) ? HW_FIELDS[series.field] : undefined;
    if (mapped) {
      points.push(mapped(series, attributes));
      return;
    }
    const known = dcgmField(series.field);
    points.push({
      name: series.field,
      description: known?.description ?? sample.help.get(series.field) ?? '',
      unit: known?.unit ?? '',
      kind: dcgmKind(series.field, sample),
      attributes,
      value: series.value,
    });
  };
  await forEachInSlices(sample.series, add, signal);
  const addMemory = ([labels, fb]: [Readonly<Record<string, string>>, Record<string, number>]): void => {
    const used = fb['DCGM_FI_DEV_FB_USED'];
    const parts = [used, fb['DCGM_FI_DEV_FB_FREE'], fb['DCGM_FI_DEV_FB_RESERVED']];
    const limitMib =
      fb['DCGM_FI_DEV_FB_TOTAL'] ??
      (parts.every((part) => part !== undefined) ? parts.reduce((a = 0, b = 0) => a + b, 0) : undefined);
    if (limitMib === undefined || limitMib <= 0) return;
    const attributes = attributesOf.get(labels) as Attributes;
    points.push({
      name: 'hw.gpu.memory.limit',
      description: 'Size of the GPU memory.',
      unit: 'By',
      kind: 'updown',
      attributes,
      value: limitMib * MIB,
    });
    if (used !== undefined) {
      points.push({
        name: 'hw.gpu.memory.utilization',
        description: 'Fraction of GPU memory used.',
        unit: '1',
        kind: 'gauge',
        attributes,
        value: used / limitMib,
      });
    }
  };
  await forEachInSlices(framebuffer, addMemory, signal);
  return points;
}
