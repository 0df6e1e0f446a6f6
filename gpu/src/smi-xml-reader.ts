import { XMLParser, type X2jOptions } from 'fast-xml-parser';
import { readWhole, type CaptureReader, type CaptureReadOptions, type SmiReadOptions } from './capture-reader.js';
import type { GpuSample } from './sample.js';
import { SampleBuilder } from './sample-builder.js';
import { CLOCK_EVENT_REASON_BITS, SMI_XML_ECC_TOTALS, SMI_XML_VALUES } from './smi-field-map.js';
import { isSmiMissing, parseSmiValue, SmiValueError } from './smi-values.js';

/** The capture cannot be read at all (not XML of nvidia-smi, or cut short). */
export class SmiXmlError extends Error {}

type XmlNode = { readonly [key: string]: unknown };

/** Values as written (no number parsing), attributes as `@_name`, `<gpu>` and `<mig_device>` always lists. */
export const SMI_XML_PARSER_OPTIONS: X2jOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  isArray: (name) => name === 'gpu' || name === 'mig_device',
};

const parser = new XMLParser(SMI_XML_PARSER_OPTIONS);

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
 * Longest `<gpu>` element read. nvidia-smi writes about 20 KB per GPU, more with MIG instances and
 * a process list of 400 characters per process.
 */
export const MAX_GPU_ELEMENT_CHARS = 1024 * 1024;

/**
 * Longest `<gpu>` element parsed, once the parts no value is read from are cut out of it, and
 * longest text outside the elements: fast-xml-parser reads either in one call that the event loop
 * waits for. nvidia-smi's elements are about 10 KB so.
 */
export const MAX_PARSED_GPU_ELEMENT_CHARS = 64 * 1024;

/** Parts of a `<gpu>` element no value is read from: about half of it, and the process lists, which grow with the processes. */
const UNREAD_ELEMENTS = ['supported_clocks', 'processes', 'accounted_processes'];

/** `element` without the UNREAD_ELEMENTS. */
function withoutUnreadParts(element: string): string {
  let kept = element;
  for (const name of UNREAD_ELEMENTS) {
    const open = kept.indexOf(`<${name}>`);
    if (open < 0) continue;
    const close = kept.indexOf(`</${name}>`, open);
    if (close < 0) continue;
    kept = kept.slice(0, open) + kept.slice(close + name.length + 3);
  }
  return kept;
}

/** Where a `<gpu>` element (not `<gpu_...>`) starts. */
const GPU_OPEN = /<gpu[\s>/]/g;
const GPU_CLOSE = '</gpu>';

/** The values of one `<gpu>` element, parsed on its own, at `position` among the document's GPUs. */
export function readGpuElement(
  builder: SampleBuilder,
  gpu: unknown,
  position: number,
  driver: string | undefined,
  options: SmiReadOptions,
): void {
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
}

/** The driver version and the root check, from the document without its `<gpu>` elements. */
function parseSkeleton(skeleton: string): string | undefined {
  let document: unknown;
  try {
    document = parser.parse(skeleton);
  } catch (error) {
    throw new SmiXmlError(`XML could not be parsed: ${(error as Error).message}`);
  }
  const log = child(document, 'nvidia_smi_log');
  if (log === undefined) throw new SmiXmlError('XML has no <nvidia_smi_log> root');
  return text(child(log, 'driver_version'));
}

/**
 * Reads `nvidia-smi -q -x`, one `<gpu>` element a step: each element is cut out of the text and
 * parsed on its own, without the parts no value is read from, so no step parses more than
 * MAX_PARSED_GPU_ELEMENT_CHARS. The XML has no GPU index, so `gpu` is the position of the `<gpu>`
 * element (nvidia-smi lists GPUs in index order); `device` is `nvidia<minor_number>`, as
 * dcgm-exporter names it. MIG instances get the framebuffer fields
 * of their own, with `GPU_I_ID`. The driver version is read from what precedes the first GPU,
 * where nvidia-smi writes it.
 */
export class SmiXmlReader implements CaptureReader {
  private readonly builder: SampleBuilder;
  private text = '';
  private at = 0;
  private ended = false;
  /** The document without its `<gpu>` elements: the root, the driver version, the closing tag. */
  private skeleton = '';
  private driver: string | undefined;
  private gpus = 0;

  constructor(private readonly options: CaptureReadOptions = {}) {
    this.builder = new SampleBuilder(options.maxSeries);
  }

  write(piece: string): void {
    this.text = this.at < this.text.length ? this.text.slice(this.at) + piece : piece;
    this.at = 0;
  }

  end(): void {
    this.ended = true;
  }

  step(): boolean {
    const { text } = this;
    GPU_OPEN.lastIndex = this.at;
    const open = GPU_OPEN.exec(text);
    if (!open) {
      // Up to a possible partial "<gpu" at the end, the rest is skeleton.
      const keep = this.ended ? text.length : Math.max(this.at, text.length - GPU_CLOSE.length);
      this.addSkeleton(text.slice(this.at, keep));
      this.at = keep;
      return false;
    }
    const start = open.index;
    const tagEnd = text.indexOf('>', start);
    const close = tagEnd > 0 && text.charCodeAt(tagEnd - 1) === 47 ? tagEnd + 1 : text.indexOf(GPU_CLOSE, start);
    if (close < 0 || tagEnd < 0) {
      if (text.length - start > MAX_GPU_ELEMENT_CHARS) throw this.tooLong();
      if (this.ended) throw new SmiXmlError(`<gpu> element ${this.gpus} is not closed: the XML is cut short`);
      this.addSkeleton(text.slice(this.at, start));
      this.at = start;
      return false;
    }
    const end = close === tagEnd + 1 ? close : close + GPU_CLOSE.length;
    if (end - start > MAX_GPU_ELEMENT_CHARS) throw this.tooLong();
    this.addSkeleton(text.slice(this.at, start));
    if (this.gpus === 0) this.driver = parseSkeleton(`${this.skeleton}</nvidia_smi_log>`);
    const read = withoutUnreadParts(text.slice(start, end));
    if (read.length > MAX_PARSED_GPU_ELEMENT_CHARS) {
      throw new SmiXmlError(
        `<gpu> element ${this.gpus} is longer than ${MAX_PARSED_GPU_ELEMENT_CHARS} characters without its supported clocks and process lists`,
      );
    }
    let element: unknown;
    try {
      element = list(child(parser.parse(read), 'gpu'))[0];
    } catch (error) {
      throw new SmiXmlError(`<gpu> element ${this.gpus} could not be parsed: ${(error as Error).message}`);
    }
    readGpuElement(this.builder, element, this.gpus++, this.driver, this.options);
    this.at = end;
    return true;
  }

  result(): GpuSample {
    if (!/<\/nvidia_smi_log>\s*$/.test(this.skeleton)) {
      throw new SmiXmlError('XML does not end with </nvidia_smi_log>: not nvidia-smi -q -x output, or cut short');
    }
    const driver = parseSkeleton(this.skeleton);
    if (this.gpus === 0) this.driver = driver;
    return this.builder.build('nvidia-smi-xml');
  }

  private addSkeleton(part: string): void {
    this.skeleton += part;
    if (this.skeleton.length > MAX_PARSED_GPU_ELEMENT_CHARS)
      throw new SmiXmlError(`more than ${MAX_PARSED_GPU_ELEMENT_CHARS} characters of XML outside <gpu> elements`);
  }

  private tooLong(): SmiXmlError {
    return new SmiXmlError(`<gpu> element ${this.gpus} is longer than ${MAX_GPU_ELEMENT_CHARS} characters`);
  }
}

export function readSmiXml(xmlText: string, options: CaptureReadOptions = {}): GpuSample {
  return readWhole(new SmiXmlReader(options), xmlText);
}

const MIG_FB_FIELDS: readonly (readonly [string, string])[] = [
  ['total', 'DCGM_FI_DEV_FB_TOTAL'],
  ['used', 'DCGM_FI_DEV_FB_USED'],
  ['free', 'DCGM_FI_DEV_FB_FREE'],
  ['reserved', 'DCGM_FI_DEV_FB_RESERVED'],
];
