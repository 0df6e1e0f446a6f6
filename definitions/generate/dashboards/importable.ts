import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS_INPUT } from './common.js';

/** The Grafana release the dashboards are written for (schema and panel options). */
const GRAFANA_VERSION = '12.0.0';

const PANEL_NAMES: Record<string, string> = {
  heatmap: 'Heatmap',
  stat: 'Stat',
  'state-timeline': 'State timeline',
  table: 'Table',
  timeseries: 'Time series',
};

/**
 * A dashboard as Grafana's "Export for sharing externally" writes it: `__inputs` names the
 * Prometheus to pick on import (Grafana replaces `${DS_PROMETHEUS}` with it) and `__requires` the
 * plugins it needs, so the same file imports into any Grafana and provisions as it is.
 */
export function importable(dashboard: Dashboard): Record<string, unknown> {
  const types = [...new Set((dashboard.panels ?? []).map((p) => p.type).filter((t) => t !== 'row'))].sort();
  const unknown = types.filter((t) => !(t in PANEL_NAMES));
  if (unknown.length > 0) throw new Error(`dashboard ${dashboard.uid}: add the panel type(s) ${unknown.join(', ')} to PANEL_NAMES`);
  return {
    __inputs: [
      {
        name: PROMETHEUS_INPUT,
        label: 'Prometheus',
        description: "The Prometheus holding Presize's series and evaluating its recording rules",
        type: 'datasource',
        pluginId: 'prometheus',
        pluginName: 'Prometheus',
      },
    ],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: GRAFANA_VERSION },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      ...types.map((id) => ({ type: 'panel', id, name: PANEL_NAMES[id], version: '' })),
    ],
    ...dashboard,
  };
}
