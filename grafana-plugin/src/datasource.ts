/**
 * Wires Grafana to the datasource's parts: each query goes to the handler of its type
 * (handlers/), requests go through the transport (transport/), filters through the variables
 * (variables/). Nothing here builds PromQL or frames.
 */
import {
  type AnnotationSupport,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  DataSourceApi,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { authRoute } from './core/auth';
import { PrometheusApi, type Transport } from './core/prometheus-api';
import type { Scope } from './core/scope';
import { chooseStep } from './core/step';
import type { QueryContext } from './handlers/context';
import { QUERY_HANDLERS } from './handlers';
import { checkHealth } from './health';
import { dataProxyTransport } from './transport/proxy-transport';
import { DEFAULT_QUERY, type PresizeDataSourceOptions, type PresizeQuery, type PresizeVariableQuery } from './types';
import { selectionOf, selectionText } from './variables/interpolate';
import { PresizeVariableSupport, variableValues } from './variables/variable-support';
import type { VariableKind } from './variables/variable-query';

/** What the datasource needs from Grafana; tests hand in their own. */
export interface DataSourceDependencies {
  transport?: Transport;
  templateSrv?: Pick<TemplateSrv, 'replace'> & Partial<Pick<TemplateSrv, 'getVariables'>>;
}

/** The query fields that hold label values or template variables. */
const FILTER_FIELDS = ['service', 'map', 'node', 'gpu', 'slo'] as const;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DataSource extends DataSourceApi<PresizeQuery, PresizeDataSourceOptions> {
  readonly api: PrometheusApi;
  private readonly templateSrv: NonNullable<DataSourceDependencies['templateSrv']>;
  private readonly configuredUrl: string | undefined;

  /** Growth events as annotations; the annotation editor is the query editor, set to growth events. */
  annotations: AnnotationSupport<PresizeQuery> = {
    getDefaultQuery: () => ({ queryType: 'growthEvents' }),
  };

  constructor(
    settings: DataSourceInstanceSettings<PresizeDataSourceOptions>,
    dependencies: DataSourceDependencies = {}
  ) {
    super(settings);
    this.configuredUrl = settings.jsonData.url;
    this.templateSrv = dependencies.templateSrv ?? getTemplateSrv();
    this.api = new PrometheusApi(
      dependencies.transport ?? dataProxyTransport(settings.url ?? '', authRoute(settings.jsonData.authMethod))
    );
    this.variables = new PresizeVariableSupport(this);
  }

  getDefaultQuery(): Partial<PresizeQuery> {
    return DEFAULT_QUERY;
  }

  private scope(query: PresizeQuery, scopedVars: ScopedVars): Scope {
    return {
      services: selectionOf(query.service, scopedVars, this.templateSrv),
      maps: selectionOf(query.map, scopedVars, this.templateSrv),
      nodes: selectionOf(query.node, scopedVars, this.templateSrv),
      gpus: selectionOf(query.gpu, scopedVars, this.templateSrv),
    };
  }

  async query(request: DataQueryRequest<PresizeQuery>): Promise<DataQueryResponse> {
    const fromMs = request.range.from.valueOf();
    const toMs = request.range.to.valueOf();
    const targets = request.targets.filter((t) => !t.hide);
    const data: DataFrame[] = [];
    const errors: DataQueryError[] = [];
    // One failing query reports its error; the other panels' queries still return their data.
    const results = await Promise.allSettled(
      targets.map((target) => {
        const handler = QUERY_HANDLERS[target.queryType ?? 'riskMap'];
        if (!handler) {
          throw new Error(`unknown query type "${String(target.queryType)}"`);
        }
        const context: QueryContext = {
          api: this.api,
          scope: this.scope(target, request.scopedVars),
          selection: (text) => selectionOf(text, request.scopedVars, this.templateSrv),
          fromMs,
          toMs,
          rangeSeconds: Math.max(1, (toMs - fromMs) / 1000),
          stepSeconds: chooseStep(toMs - fromMs, request.intervalMs, request.maxDataPoints ?? 1000),
        };
        return handler(target, context);
      })
    );
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        data.push(...result.value);
      } else {
        errors.push({ refId: targets[i]!.refId, message: errorText(result.reason) });
      }
    });
    return errors.length ? { data, errors, error: errors[0] } : { data };
  }

  /**
   * The queries with their variables resolved, for Explore and for a dashboard's "Explore" link:
   * several values or a pattern become `=~a|b`, which the query reads back as the same filter.
   */
  interpolateVariablesInQueries(queries: PresizeQuery[], scopedVars: ScopedVars): PresizeQuery[] {
    return queries.map((query) => {
      const resolved: PresizeQuery = { ...query };
      for (const field of FILTER_FIELDS) {
        if (query[field] !== undefined) {
          resolved[field] = selectionText(selectionOf(query[field], scopedVars, this.templateSrv));
        }
      }
      return resolved;
    });
  }

  /** The dashboard's variables as `$name`, offered beside label values in the editors. */
  templateVariableNames(): string[] {
    return (this.templateSrv.getVariables?.() ?? []).map((v) => `$${v.name}`);
  }

  /** Values of a variable query (the variable editor's object or the earlier text form). */
  variableValues(
    query: PresizeVariableQuery | string | undefined,
    scopedVars?: ScopedVars,
    range?: { fromMs: number; toMs: number }
  ) {
    return variableValues(this.api, this.templateSrv, query, scopedVars, range);
  }

  /** Label values for an editor's drop-down, e.g. the maps of the chosen service. */
  async optionsFor(kind: VariableKind, argument?: string): Promise<string[]> {
    return (await this.variableValues({ refId: 'options', kind, argument })).map((v) => v.text);
  }

  /** Variables of dashboards saved before the variable editor: `services()`, `maps($service)`, ... */
  metricFindQuery(query: string, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    return this.variableValues(query, options?.scopedVars);
  }

  testDatasource(): Promise<TestDataSourceResponse> {
    return checkHealth(this.api, this.configuredUrl);
  }
}
