/**
 * Keeps every GPU series within what the stores behind Prometheus accept. Mimir refuses a series
 * with more than 30 labels (its default `max_label_names_per_series`, counting `__name__`) and
 * VictoriaMetrics drops labels past its `-maxLabelsPerTimeseries` (30): a dcgm-exporter that
 * copies pod labels onto every series can pass that, and a long label value (an annotation copied
 * as a label) can pass Mimir's 2,048-character limit.
 */

/** Labels a GPU series may carry here: 30, less `__name__` and the `job` and `instance` the scrape or remote write adds. */
export const MAX_GPU_LABELS = 27;
/** Characters of a label value; the stores' limits are 2,048 (Mimir) and 16,384 (VictoriaMetrics). */
export const MAX_LABEL_VALUE_LENGTH = 256;
/** Characters of a label name; Mimir's limit is 1,024. */
export const MAX_LABEL_NAME_LENGTH = 128;

/**
 * Labels that identify a GPU and place it, kept before any other; the rest are kept in name
 * order, so the same label set is always cut the same way.
 */
const IDENTITY_LABELS = [
  'gpu',
  'UUID',
  'device',
  'modelName',
  'Hostname',
  'hostname',
  'pci_bus_id',
  'GPU_I_ID',
  'GPU_I_PROFILE',
  'DCGM_FI_DRIVER_VERSION',
  'namespace',
  'pod',
  'container',
  'err_code',
  'err_msg',
];
const IDENTITY_RANK = new Map(IDENTITY_LABELS.map((name, rank) => [name, rank]));

function rank(name: string): number {
  return IDENTITY_RANK.get(name) ?? IDENTITY_LABELS.length;
}

/** FNV-1a of the whole value, so that two long values that share their start stay two series. */
function fingerprint(value: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** A value cut to MAX_LABEL_VALUE_LENGTH characters, ending in `~` and a fingerprint of the whole. */
export function boundedLabelValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE_LENGTH) return value;
  const suffix = `~${fingerprint(value)}`;
  let kept = value.slice(0, MAX_LABEL_VALUE_LENGTH - suffix.length);
  // Not half of a surrogate pair.
  const last = kept.charCodeAt(kept.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) kept = kept.slice(0, -1);
  return `${kept}${suffix}`;
}

/**
 * `labels` within the limits: names longer than MAX_LABEL_NAME_LENGTH left out, values cut, and
 * at most MAX_GPU_LABELS labels, identity labels first. The same object when nothing had to change.
 */
export function boundedGpuLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const names = Object.keys(labels);
  let within = names.length <= MAX_GPU_LABELS;
  for (const name of names) {
    if (!within) break;
    if (name.length > MAX_LABEL_NAME_LENGTH || (labels[name] as string).length > MAX_LABEL_VALUE_LENGTH) within = false;
  }
  if (within) return labels;
  const kept = names
    .filter((name) => name.length <= MAX_LABEL_NAME_LENGTH)
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_GPU_LABELS);
  const bounded: Record<string, string> = {};
  for (const name of kept) bounded[name] = boundedLabelValue(labels[name] as string);
  return bounded;
}
