/** Template variables with their own editor: the values of services, maps, GPU nodes, GPUs or SLOs. */
import {
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  FieldType,
  createDataFrame,
  type MetricFindValue,
  type ScopedVars,
} from '@grafana/data';
import { from, map, type Observable } from 'rxjs';

import type { PrometheusApi } from '../core/prometheus-api';
import type { PresizeDataSourceOptions, PresizeQuery, PresizeVariableQuery } from '../types';
import { VariableQueryEditor } from '../components/VariableQueryEditor';
import { type Interpolator, selectionOf } from './interpolate';
import { readVariableQuery, variableLookups } from './variable-query';

const DEFAULT_LOOKBACK_MS = 6 * 3600_000;

/** The values a variable query lists, sorted and without duplicates. */
export async function variableValues(
  api: PrometheusApi,
  templateSrv: Interpolator,
  saved: unknown,
  scopedVars: ScopedVars = {},
  range?: { fromMs: number; toMs: number }
): Promise<MetricFindValue[]> {
  const query = readVariableQuery(saved);
  const argument = selectionOf(query.argument, scopedVars, templateSrv);
  const toMs = range?.toMs ?? Date.now();
  const fromMs = range?.fromMs ?? toMs - DEFAULT_LOOKBACK_MS;
  const lists = await Promise.all(
    variableLookups(query, argument).map(({ label, match }) => api.labelValues(label, match, fromMs, toMs))
  );
  return [...new Set(lists.flat())].sort().map((text) => ({ text, value: text }));
}

/** What the variable support needs of its data source, named here so that this module does not import the data source that builds it. */
export interface VariableValueSource extends DataSourceApi<PresizeQuery, PresizeDataSourceOptions> {
  variableValues(
    query: PresizeVariableQuery | string | undefined,
    scopedVars?: ScopedVars,
    range?: { fromMs: number; toMs: number }
  ): Promise<MetricFindValue[]>;
}

export class PresizeVariableSupport extends CustomVariableSupport<VariableValueSource, PresizeVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: VariableValueSource) {
    super();
  }

  query(request: DataQueryRequest<PresizeVariableQuery>): Observable<DataQueryResponse> {
    const [target] = request.targets;
    const range = { fromMs: request.range.from.valueOf(), toMs: request.range.to.valueOf() };
    return from(this.datasource.variableValues(target, request.scopedVars, range)).pipe(
      map((values) => ({
        data: [
          createDataFrame({
            refId: target?.refId,
            fields: [
              { name: 'text', type: FieldType.string, values: values.map((v) => v.text) },
              { name: 'value', type: FieldType.string, values: values.map((v) => String(v.value)) },
            ],
          }),
        ],
      }))
    );
  }
}
