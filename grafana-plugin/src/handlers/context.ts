/** What every query handler gets: the API, the query's scope with its variables resolved, and the time window. */
import type { DataFrame } from '@grafana/data';

import type { PrometheusApi } from '../core/prometheus-api';
import type { Scope, Selection } from '../core/scope';
import type { PresizeQuery } from '../types';

export interface QueryContext {
  api: PrometheusApi;
  scope: Scope;
  /** Another filter field of the query (the SLO name), its variables resolved. */
  selection(text: string | undefined): Selection;
  fromMs: number;
  toMs: number;
  rangeSeconds: number;
  stepSeconds: number;
}

export type QueryHandler = (query: PresizeQuery, context: QueryContext) => Promise<DataFrame[]>;
