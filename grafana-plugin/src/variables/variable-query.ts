/**
 * Template variable queries: which label's values a variable lists (services, maps, nodes, GPUs,
 * SLOs) and on which series. Saved as an object by the variable editor; the text form
 * (`maps($service)`) of earlier dashboards is still read.
 */
import { DCGM_GPU_UTIL, filterSelector as selector } from '@presize/definitions';

import {
  LABEL_GPU,
  LABEL_GPU_NODE,
  LABEL_GPU_NODE_LOWER,
  LABEL_MAP,
  LABEL_SERVICE,
  MAP_METRIC_NAMES,
} from '../core/names';
import { labelFilter, type Selection } from '../core/scope';
import { SLOTH_LABELS, SLOTH_OBJECTIVE } from '../core/slo';

export type VariableKind = 'services' | 'maps' | 'nodes' | 'gpus' | 'slo_services' | 'slos';

export interface VariableQuery {
  kind: VariableKind;
  /** The services whose maps or SLOs, or the nodes whose GPUs, to list; may hold a template variable. */
  argument?: string;
}

export const VARIABLE_KINDS: ReadonlyArray<{
  value: VariableKind;
  label: string;
  description: string;
  argument?: string;
}> = [
  { value: 'services', label: 'Services', description: 'Services with presized maps (the job label)' },
  { value: 'maps', label: 'Maps', description: 'Presized maps, of the chosen services', argument: 'Service' },
  { value: 'nodes', label: 'GPU nodes', description: 'Nodes dcgm-exporter reports GPUs of (Hostname or hostname)' },
  { value: 'gpus', label: 'GPUs', description: 'GPU indexes, on the chosen nodes', argument: 'Node' },
  { value: 'slo_services', label: 'SLO services', description: 'Services with SLOs (sloth_service)' },
  { value: 'slos', label: 'SLOs', description: 'SLO names, of the chosen SLO services', argument: 'Service' },
];

export const VARIABLE_QUERY_HELP =
  'services(), maps(), maps($service), nodes(), gpus(), gpus($node), slo_services(), slos() or slos($service)';

export function parseVariableQuery(text: string): VariableQuery {
  const match = /^\s*(services|maps|nodes|gpus|slo_services|slos)\s*\(\s*(.*?)\s*\)\s*$/.exec(text);
  if (!match) {
    throw new Error(`"${text}" is not a Presize variable query; use ${VARIABLE_QUERY_HELP}`);
  }
  const kind = match[1] as VariableKind;
  const argument = match[2] ? match[2].replace(/^(["'])(.*)\1$/, '$2') : undefined;
  if (argument && !VARIABLE_KINDS.find((k) => k.value === kind)?.argument) {
    throw new Error(`${kind}() takes no argument, got "${argument}"`);
  }
  return argument ? { kind, argument } : { kind };
}

/** A saved variable query, in the object form of the editor or the text form of earlier dashboards. */
export function readVariableQuery(saved: unknown): VariableQuery {
  if (typeof saved === 'string') {
    return parseVariableQuery(saved);
  }
  const query = (saved ?? {}) as Partial<VariableQuery>;
  const kind = VARIABLE_KINDS.find((k) => k.value === query.kind);
  if (!kind) {
    throw new Error(`choose what the variable lists: ${VARIABLE_KINDS.map((k) => k.label).join(', ')}`);
  }
  return kind.argument && query.argument?.trim()
    ? { kind: kind.value, argument: query.argument }
    : { kind: kind.value };
}

/** The labels whose values the variable lists, each with the series to look at; the values of all are merged. */
export function variableLookups(query: VariableQuery, argument: Selection): Array<{ label: string; match: string }> {
  switch (query.kind) {
    case 'services':
      return [{ label: LABEL_SERVICE, match: MAP_METRIC_NAMES.entries }];
    case 'maps':
      return [{ label: LABEL_MAP, match: selector(MAP_METRIC_NAMES.entries, [labelFilter(LABEL_SERVICE, argument)]) }];
    case 'nodes':
      // dcgm-exporter named the node label `Hostname` before its rename to `hostname`.
      return [LABEL_GPU_NODE, LABEL_GPU_NODE_LOWER].map((label) => ({ label, match: DCGM_GPU_UTIL }));
    case 'gpus':
      return [LABEL_GPU_NODE, LABEL_GPU_NODE_LOWER].map((node) => ({
        label: LABEL_GPU,
        match: selector(DCGM_GPU_UTIL, [labelFilter(node, argument)]),
      }));
    case 'slo_services':
      return [{ label: SLOTH_LABELS.service, match: SLOTH_OBJECTIVE }];
    case 'slos':
      return [
        { label: SLOTH_LABELS.slo, match: selector(SLOTH_OBJECTIVE, [labelFilter(SLOTH_LABELS.service, argument)]) },
      ];
  }
}
