import type { DataSourceInstanceSettings, ScopedVars } from '@grafana/data';

import type { PresizeDataSourceOptions } from './types';

/** Instance settings as Grafana hands them to a proxied datasource. */
export function instanceSettings(jsonData: PresizeDataSourceOptions): DataSourceInstanceSettings<PresizeDataSourceOptions> {
  return {
    uid: 'presize',
    type: 'presize-riskmap-datasource',
    name: 'Presize',
    url: '/api/datasources/proxy/uid/presize',
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { id: 'presize-riskmap-datasource' } as DataSourceInstanceSettings['meta'],
  } as DataSourceInstanceSettings<PresizeDataSourceOptions>;
}

/**
 * Dashboard variables with Grafana's interpolation rules for the formats the datasource uses:
 * `json` gives the value or the list of values as JSON, the default joins a list in braces.
 */
export function variables(values: Record<string, string | string[]>) {
  const pattern = /\$(\w+)|\$\{(\w+)(?::\w+)?\}|\[\[(\w+)(?::\w+)?\]\]/g;
  return {
    replace(target?: string, _scopedVars?: ScopedVars, format?: string | Function): string {
      return (target ?? '').replace(pattern, (whole, a, b, c) => {
        const value = values[a ?? b ?? c];
        if (value === undefined) {return whole;}
        if (format === 'json') {return JSON.stringify(value);}
        return Array.isArray(value) ? `{${value.join(',')}}` : value;
      });
    },
    getVariables: () => Object.keys(values).map((name) => ({ name })) as never,
  };
}
