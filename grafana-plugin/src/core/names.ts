/** The Prometheus names the datasource queries beyond the shared definitions' own tables. */
import { LABEL_MAP_NAME } from '@presize/definitions';

export { LABEL_GROWTH_KIND, LABEL_GROWTH_TRIGGER, LABEL_SERVICE, MAP_METRIC_NAMES } from '@presize/definitions';
export const LABEL_MAP = LABEL_MAP_NAME;
/** dcgm-exporter's node label before its rename; current releases write it `hostname`. */
export const LABEL_GPU_NODE = 'Hostname';
export const LABEL_GPU_NODE_LOWER = 'hostname';
export const LABEL_GPU = 'gpu';

/** The node of a GPU series, whichever generation of dcgm-exporter labelled it. */
export function gpuNode(labels: Readonly<Record<string, string>>): string {
  return labels[LABEL_GPU_NODE] || labels[LABEL_GPU_NODE_LOWER] || '';
}
