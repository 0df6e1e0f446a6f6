import { XMLParser } from 'fast-xml-parser';
import type { GpuSample } from './sample.js';
import { SampleBuilder } from './sample-builder.js';
import type { SmiReadOptions } from './smi-csv-reader.js';
import { CLOCK_EVENT_REASON_BITS, SMI_XML_ECC_TOTALS, SMI_XML_VALUES } from './smi-field-map.js';
import { isSmiMissing, parseSmiValue, SmiValueError } from './smi-values.js';

/** The capture cannot be read at all (not XML of nvidia-smi, or cut short). */
export class SmiXmlError extends Error {}

type XmlNode = { readonly [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  isArray: (name) => name === 'gpu' || name === 'mig_device',
});

function child(node: unknown, key: string): unknown {
  return typeof node === 'object' && node !== null && Object.prototype.hasOwnProperty.call(node, key)
    ? (node as XmlNode)[key]
    : undefined;
}

function at(node: unknown, path: readonly string[]): unknown {
  let current = node;
  for (const key of path) current = child(current, key);
  return current;
}

function text(node: unknown): string | undefined {
  return typeof node === 'string' ? node.trim() : undefined;
}

function list(node: unknown): unknown[] {
  return Array.isArray(node) ? node : [];
}

/**
 * Reads `nvidia-smi -q -x`. The XML has no GPU index, so `gpu` is the position of the `<gpu>`
 * element (nvidia-smi lists GPUs in index order); `device` is `nvidia<minor_number>`, as
 * dcgm-exporter names it. MIG instances get the framebuffer fields of their own, with `GPU_I_ID`.
 */
export function readSmiXml(xmlText: string, options: SmiReadOptions = {}): GpuSample {
  if (!/<\/nvidia_smi_log>\s*$/.test(xmlText)) {
    throw new SmiXmlError('XML does not end with </nvidia_smi_log>: not nvidia-smi -q -x output, or cut short');
  }
  let document: unknown;
  try {
    document = parser.parse(xmlText);
  } catch (error) {
    throw new SmiXmlError(`XML could not be parsed: ${(error as Error).message}`);
  }
  const log = child(document, 'nvidia_smi_log');
  if (log === undefined) throw new SmiXmlError('XML has no <nvidia_smi_log> root');
  const builder = new SampleBuilder();
  const driver = text(child(log, 'driver_version'));

  list(child(log, 'gpu')).forEach((gpu, position) => {
    const labels: Record<string, string> = { gpu: String(position) };
    const uuid = text(child(gpu, 'uuid'));
    if (uuid) labels['UUID'] = uuid;
    const pciBusId = text(at(gpu, ['pci', 'pci_bus_id'])) ?? text(child(gpu, '@_id'));
    if (pciBusId) labels['pci_bus_id'] = pciBusId;
    const minor = text(child(gpu, 'minor_number'));
    if (minor && /^\d+$/.test(minor)) labels['device'] = `nvidia${minor}`;
    const model = text(child(gpu, 'product_name'));
    if (model) labels['modelName'] = model;
    if (options.hostname !== undefined) labels['Hostname'] = options.hostname;
    if (driver) labels['DCGM_FI_DRIVER_VERSION'] = driver;
    const gpuLabels = Object.freeze(labels);
    const where = `gpu ${position}`;

    const add = (field: string, raw: unknown, conversion: Parameters<typeof parseSmiValue>[1], unit?: string): void => {
      const value = text(raw);
      if (value === undefined) return;
      try {
        const parsed = parseSmiValue(value, conversion, unit);
        if (parsed !== undefined) builder.add(field, gpuLabels, parsed);
      } catch (error) {
        if (!(error instanceof SmiValueError)) throw error;
        builder.malformed(0, `${where} ${field}: ${error.message}`);
      }
    };

    for (const mapping of SMI_XML_VALUES) {
      const path = mapping.paths.find((candidate) => text(at(gpu, candidate)) !== undefined);
      if (path) add(mapping.field, at(gpu, path), mapping.conversion, mapping.unit);
    }
    for (const { field, paths } of SMI_XML_ECC_TOTALS) {
      const parts = paths
        .map((path) => text(at(gpu, path)))
        .filter((value): value is string => value !== undefined && !isSmiMissing(value));
      if (parts.length === 0) continue;
      if (parts.every((part) => /^\d+$/.test(part)))
        builder.add(
          field,
          gpuLabels,
          parts.reduce((sum, part) => sum + Number(part), 0),
        );
      else builder.malformed(0, `${where} ${field}: ECC counts ${parts.join(', ')} are not all integers`);
    }
    const reasons = child(gpu, 'clocks_event_reasons') ?? child(gpu, 'clocks_throttle_reasons');
    if (typeof reasons === 'object' && reasons !== null) {
      let mask = 0;
      let known = 0;
      for (const [element, state] of Object.entries(reasons)) {
        const reason = element.replace(/^clocks_(event|throttle)_reason_/, '');
        const bit = CLOCK_EVENT_REASON_BITS[reason];
        if (bit === undefined || !Object.prototype.hasOwnProperty.call(CLOCK_EVENT_REASON_BITS, reason)) continue;
        const value = text(state);
        if (value === 'Active') mask |= bit;
        if (value === 'Active' || value === 'Not Active') known++;
      }
      if (known > 0) builder.add('DCGM_FI_DEV_CLOCKS_EVENT_REASONS', gpuLabels, mask);
    }

    for (const mig of list(at(gpu, ['mig_devices', 'mig_device']))) {
      const instance = text(child(mig, 'gpu_instance_id'));
      if (!instance) continue;
      const migLabels = Object.freeze({ ...gpuLabels, GPU_I_ID: instance });
      for (const [element, field] of MIG_FB_FIELDS) {
        const value = text(at(mig, ['fb_memory_usage', element]));
        if (value === undefined) continue;
        try {
          const parsed = parseSmiValue(value, 'number', 'MiB');
          if (parsed !== undefined) builder.add(field, migLabels, parsed);
        } catch (error) {
          if (!(error instanceof SmiValueError)) throw error;
          builder.malformed(0, `${where} MIG ${instance} ${field}: ${error.message}`);
        }
      }
    }
  });
  return builder.build('nvidia-smi-xml');
}

const MIG_FB_FIELDS: readonly (readonly [string, string])[] = [
  ['total', 'DCGM_FI_DEV_FB_TOTAL'],
  ['used', 'DCGM_FI_DEV_FB_USED'],
  ['free', 'DCGM_FI_DEV_FB_FREE'],
  ['reserved', 'DCGM_FI_DEV_FB_RESERVED'],
];
