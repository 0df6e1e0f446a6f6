/** Template variable queries (`services()`, `maps($service)`, ...) and how filter text becomes label values. */
import { LABEL_GPU, LABEL_GPU_NODE, LABEL_MAP, LABEL_SERVICE, MAP_METRICS } from './names';
import { selector } from './promql';
import { SLOTH_LABELS, SLOTH_OBJECTIVE } from './slo';

export type VariableKind = 'services' | 'maps' | 'nodes' | 'gpus' | 'slo_services' | 'slos';

export interface VariableQuery {
  kind: VariableKind;
  /** services/nodes filter for maps/gpus; may hold a template variable. */
  argument?: string;
}

export const VARIABLE_QUERY_HELP = 'services(), maps(), maps($service), nodes(), gpus(), gpus($node), slo_services(), slos() or slos($service)';

export function parseVariableQuery(text: string): VariableQuery {
  const match = /^\s*(services|maps|nodes|gpus|slo_services|slos)\s*\(\s*(.*?)\s*\)\s*$/.exec(text);
  if (!match) {
    throw new Error(`"${text}" is not a Presize variable query; use ${VARIABLE_QUERY_HELP}`);
  }
  const kind = match[1] as VariableKind;
  const argument = match[2] ? match[2].replace(/^(["'])(.*)\1$/, '$2') : undefined;
  if (argument && (kind === 'services' || kind === 'nodes' || kind === 'slo_services')) {
    throw new Error(`${kind}() takes no argument, got "${argument}"`);
  }
  return argument ? { kind, argument } : { kind };
}

/** dcgm-exporter names the node `Hostname` before its rename and `hostname` since: a node is either. */
const GPU_NODE_LABELS = [LABEL_GPU_NODE, LABEL_GPU_NODE.toLowerCase()];

/** The labels whose values the variable lists and the series to look at; the values of all are listed. */
export function variableLookups(query: VariableQuery, argumentValues: readonly string[]): Array<{ label: string; match: string }> {
  switch (query.kind) {
    case 'services':
      return [{ label: LABEL_SERVICE, match: MAP_METRICS.entries }];
    case 'maps':
      return [{ label: LABEL_MAP, match: selector(MAP_METRICS.entries, [{ label: LABEL_SERVICE, values: argumentValues }]) }];
    case 'nodes':
      return GPU_NODE_LABELS.map((label) => ({ label, match: 'DCGM_FI_DEV_GPU_UTIL' }));
    case 'gpus':
      return GPU_NODE_LABELS.map((node) => ({ label: LABEL_GPU, match: selector('DCGM_FI_DEV_GPU_UTIL', [{ label: node, values: argumentValues }]) }));
    case 'slo_services':
      return [{ label: SLOTH_LABELS.service, match: SLOTH_OBJECTIVE }];
    case 'slos':
      return [{ label: SLOTH_LABELS.slo, match: selector(SLOTH_OBJECTIVE, [{ label: SLOTH_LABELS.service, values: argumentValues }]) }];
  }
}

/** True when `text` is one template variable reference and nothing else: `$x`, `${x}`, `${x:fmt}` or `[[x]]`. */
export function isSingleVariable(text: string): boolean {
  return /^\s*(\$\w+|\$\{\w+(:\w+)?\}|\[\[\w+(:\w+)?\]\])\s*$/.test(text);
}

/** Grafana's value for "All" when a variable has no custom all value; it means no filter. */
export const ALL_VALUE = '$__all';
