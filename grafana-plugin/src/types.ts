import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import type { GpuField, MapGrowthView } from './core/queries';
import type { SubjectFilter } from './core/risk';
import type { VariableKind } from './variables/variable-query';

export type QueryType = 'riskMap' | 'riskTimeline' | 'slo' | 'mapGrowth' | 'gpu' | 'capacity' | 'growthEvents';

/**
 * One panel query. Every filter is a label value or a template variable such as `$service`;
 * an empty filter matches everything. Nobody writes PromQL: the datasource builds it.
 */
export interface PresizeQuery extends DataQuery {
  queryType?: QueryType;
  /** The service, i.e. the Prometheus `job` label. */
  service?: string;
  /** The presized map, i.e. the `presize_map_name` label. */
  map?: string;
  /** The GPU node (dcgm-exporter's `Hostname`). */
  node?: string;
  /** The GPU index (dcgm-exporter's `gpu`). */
  gpu?: string;
  /** Risk map and risk timeline: maps, lru-caches, GPUs or all of them. */
  subjects?: SubjectFilter;
  /** Risk map: how many subjects to list, the highest scores first (`DEFAULT_RISK_ROWS` when unset). */
  rows?: number;
  /** Map growth: which series to draw. */
  growthView?: MapGrowthView;
  /** GPU: the DCGM fields to draw. */
  gpuFields?: GpuField[];
  /** SLO: the Sloth SLO name (`sloth_slo`); empty for every SLO. */
  slo?: string;
  /** Capacity advice: extra room above the observed peak, in percent. */
  headroomPercent?: number;
}

export const DEFAULT_QUERY: Partial<PresizeQuery> = {
  queryType: 'riskMap',
  subjects: 'all',
};

export type AuthMethod = 'none' | 'basic' | 'bearer';

/** A template variable's query: what it lists, narrowed by services or nodes. */
export interface PresizeVariableQuery extends DataQuery {
  kind?: VariableKind;
  /** Service (maps, SLOs) or node (GPUs) whose values to list; may hold a template variable. */
  argument?: string;
}

/**
 * Settings stored in plain JSON: never a secret. Besides these, Grafana's own HTTP settings keys
 * (`tlsSkipVerify`, `tlsAuthWithCACert`, `serverName`, `timeout`, `httpHeaderName1`, ...), which
 * Grafana's data proxy applies to every proxied request.
 */
export interface PresizeDataSourceOptions extends DataSourceJsonData {
  /** Base URL of the Prometheus-compatible HTTP API, e.g. http://prometheus:9090 or a Mimir /prometheus prefix. */
  url?: string;
  authMethod?: AuthMethod;
  /** Basic auth user name, shown again in the editor; the credentials themselves are secret. */
  basicAuthUser?: string;
  /** Seconds Grafana's server waits for the API (Grafana's own `timeout` key). */
  timeout?: number;
  /** Grafana's own TLS keys, applied by its data proxy. */
  tlsSkipVerify?: boolean;
  tlsAuthWithCACert?: boolean;
  tlsAuth?: boolean;
  serverName?: string;
}

/** Settings Grafana encrypts and only its data proxy reads, when it injects the Authorization header. */
export interface PresizeSecureJsonData {
  /** base64(user:password), the value of a Basic Authorization header. */
  basicAuthCredentials?: string;
  bearerToken?: string;
  /** Grafana's own keys: the CA certificate and the values of the custom headers (`httpHeaderValue1`, ...). */
  tlsCACert?: string;
  [customHeaderValue: `httpHeaderValue${number}`]: string | undefined;
}
