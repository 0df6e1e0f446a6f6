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
import { type BackendSrv, getBackendSrv, getTemplateSrv, isFetchError, type TemplateSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { authRoute } from './core/auth';
import { adviseCapacity, checkHeadroom, DEFAULT_HEADROOM_PERCENT } from './core/capacity';
import { LABEL_GROWTH_KIND, LABEL_GROWTH_TRIGGER, LABEL_MAP, LABEL_SERVICE, MAP_METRICS } from './core/names';
import { type InstantSample, PrometheusApi, type Transport } from './core/prometheus-api';
import {
  capacityQueries,
  gpuQueries,
  growthEventQuery,
  mapGrowthQueries,
  type Scope,
  type SeriesQuery,
} from './core/queries';
import { gpuRiskRows, lruRiskRows, mapRiskRows, riskQueries, sortRiskRows, wantsCaches, wantsGpus, wantsMaps } from './core/risk';
import { sloQueries, sloRows, type SloScope } from './core/slo';
import { chooseStep } from './core/step';
import { ALL_VALUE, isSingleVariable, parseVariableQuery, type VariableKind, variableLookups } from './core/variables';
import { capacityFrame, growthEventFrame, growthEvents, riskFrame, sloFrame, timeSeriesFrames } from './frames';
import { DEFAULT_QUERY, type AuthMethod, type PresizeDataSourceOptions, type PresizeQuery } from './types';

/** What the datasource needs from Grafana; tests hand in their own. */
export interface DataSourceDependencies {
  transport?: Transport;
  templateSrv?: Pick<TemplateSrv, 'replace'> & Partial<Pick<TemplateSrv, 'getVariables'>>;
}

interface TimeWindow {
  fromMs: number;
  toMs: number;
  intervalMs: number;
  maxDataPoints: number;
  scopedVars: ScopedVars;
}

/**
 * Requests go through Grafana's data proxy: the route for the chosen auth method (plugin.json)
 * adds the Authorization header from secureJsonData on the server, so no secret reaches the browser.
 */
export function dataProxyTransport(baseUrl: string, auth: AuthMethod, backendSrv: () => BackendSrv = getBackendSrv): Transport {
  return async (path, params) => {
    try {
      const response = await lastValueFrom(
        backendSrv().fetch<unknown>({ url: `${baseUrl}/${auth}/${path}?${params}`, method: 'GET', showErrorAlert: false })
      );
      return response.data;
    } catch (error) {
      // Prometheus answers rejected queries with 400/422 and a JSON body naming the problem: keep it.
      if (isFetchError(error) && error.data && typeof error.data === 'object' && 'status' in error.data) {
        return error.data;
      }
      if (isFetchError(error)) {
        throw new Error(httpProblem(error.status, error.statusText));
      }
      throw error;
    }
  };
}

export function httpProblem(status: number | undefined, statusText: string | undefined): string {
  switch (status) {
    case 401:
    case 403:
      return `the Prometheus API refused the credentials (HTTP ${status}); check the authentication settings`;
    case 404:
      return 'the URL answers, but not as a Prometheus API (HTTP 404); Mimir and Thanos need their /prometheus or query prefix in the URL';
    case 502:
    case 503:
    case 504:
      return `Grafana could not reach the Prometheus API (HTTP ${status}); check the URL and that the server is up`;
    default:
      return `the Prometheus API answered HTTP ${status ?? '?'} ${statusText ?? ''}`.trim();
  }
}

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

  constructor(settings: DataSourceInstanceSettings<PresizeDataSourceOptions>, dependencies: DataSourceDependencies = {}) {
    super(settings);
    this.configuredUrl = settings.jsonData.url;
    this.templateSrv = dependencies.templateSrv ?? getTemplateSrv();
    this.api = new PrometheusApi(
      dependencies.transport ?? dataProxyTransport(settings.url ?? '', authRoute(settings.jsonData.authMethod))
    );
  }

  getDefaultQuery(): Partial<PresizeQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * Label values from a filter field. A field that is exactly one template variable may hold several
   * values (multi-value or All); anything else is one literal value after interpolation.
   */
  labelValues(text: string | undefined, scopedVars: ScopedVars = {}): string[] {
    if (!text || !text.trim()) {return [];}
    if (isSingleVariable(text)) {
      const replaced = this.templateSrv.replace(text, scopedVars, 'json');
      let parsed: unknown;
      try {
        parsed = JSON.parse(replaced);
      } catch {
        // An unknown variable is left as it is: treat it as a literal value.
        return [replaced];
      }
      const values = (Array.isArray(parsed) ? parsed : [parsed]).map(String);
      return values.includes(ALL_VALUE) ? [] : values;
    }
    return [this.templateSrv.replace(text, scopedVars)];
  }

  private scope(query: PresizeQuery, scopedVars: ScopedVars): Scope {
    return {
      services: this.labelValues(query.service, scopedVars),
      maps: this.labelValues(query.map, scopedVars),
      nodes: this.labelValues(query.node, scopedVars),
      gpus: this.labelValues(query.gpu, scopedVars),
    };
  }

  async query(request: DataQueryRequest<PresizeQuery>): Promise<DataQueryResponse> {
    const window: TimeWindow = {
      fromMs: request.range.from.valueOf(),
      toMs: request.range.to.valueOf(),
      intervalMs: request.intervalMs,
      maxDataPoints: request.maxDataPoints ?? 1000,
      scopedVars: request.scopedVars,
    };
    const targets = request.targets.filter((t) => !t.hide);
    const data: DataFrame[] = [];
    const errors: DataQueryError[] = [];
    // One failing query reports its error; the other panels' queries still return their data.
    const results = await Promise.allSettled(targets.map((target) => this.runQuery(target, window)));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {data.push(...result.value);}
      else {errors.push({ refId: targets[i]!.refId, message: errorText(result.reason) });}
    });
    return errors.length ? { data, errors, error: errors[0] } : { data };
  }

  async runQuery(query: PresizeQuery, window: TimeWindow): Promise<DataFrame[]> {
    const scope = this.scope(query, window.scopedVars);
    const rangeSeconds = Math.max(1, (window.toMs - window.fromMs) / 1000);
    const step = chooseStep(window.toMs - window.fromMs, window.intervalMs, window.maxDataPoints);
    switch (query.queryType ?? 'riskMap') {
      case 'riskMap':
        return [riskFrame(query.refId, await this.riskRows(query, scope, window.toMs, rangeSeconds))];
      case 'slo': {
        const slos = this.labelValues(query.slo, window.scopedVars);
        return [sloFrame(query.refId, await this.sloRows({ services: scope.services, slos }, window.toMs))];
      }
      case 'mapGrowth':
        return this.timeSeries(query.refId, mapGrowthQueries(query.growthView ?? 'growths', scope, step), window, step);
      case 'gpu':
        return this.timeSeries(query.refId, gpuQueries(query.gpuFields ?? [], scope), window, step);
      case 'growthEvents': {
        const eventQuery = growthEventQuery(scope, step);
        const series = await this.api.range(eventQuery.expr, window.fromMs, window.toMs, step);
        const events = growthEvents(series, {
          service: LABEL_SERVICE,
          map: LABEL_MAP,
          kind: LABEL_GROWTH_KIND,
          trigger: LABEL_GROWTH_TRIGGER,
        });
        return [growthEventFrame(query.refId, events)];
      }
      case 'capacity':
        return [capacityFrame(query.refId, await this.capacity(scope, window.toMs, rangeSeconds, query.headroomPercent))];
      default:
        throw new Error(`unknown query type "${String(query.queryType)}"`);
    }
  }

  private async timeSeries(refId: string, queries: SeriesQuery[], window: TimeWindow, step: number): Promise<DataFrame[]> {
    const results = await Promise.all(queries.map((q) => this.api.range(q.expr, window.fromMs, window.toMs, step)));
    return results.flatMap((series, i) => timeSeriesFrames(refId, queries[i]!, series));
  }

  async riskRows(query: PresizeQuery, scope: Scope, timeMs: number, rangeSeconds: number) {
    const queries = riskQueries(scope, rangeSeconds);
    const instant = (expr: string) => this.api.instant(expr, timeMs);
    const collect = async (inputs: Array<{ reason: string; expr: string }>) =>
      Object.fromEntries(await Promise.all(inputs.map(async ({ reason, expr }) => [reason, await instant(expr)] as const)));
    const rows = [];
    if (wantsMaps(query.subjects)) {
      const [mapInputs, entries, hint, growths] = await Promise.all([
        collect(queries.mapInputs),
        instant(queries.entries),
        instant(queries.hint),
        instant(queries.growths),
      ]);
      rows.push(...mapRiskRows({ mapInputs, gpuInputs: {}, entries, hint, growths }));
    }
    if (wantsCaches(query.subjects, scope)) {
      const [lruInputs, lruEntries] = await Promise.all([collect(queries.lruInputs), instant(queries.lruEntries)]);
      rows.push(...lruRiskRows({ lruInputs, lruEntries }));
    }
    if (wantsGpus(query.subjects, scope)) {
      rows.push(...gpuRiskRows({ gpuInputs: await collect(queries.gpuInputs) }, scope));
    }
    return sortRiskRows(rows);
  }

  async sloRows(scope: SloScope, timeMs: number) {
    const queries = sloQueries(scope);
    const [objectives, ...errors] = await Promise.all([
      this.api.instant(queries.objective, timeMs),
      ...queries.errors.map(({ expr }) => this.api.instant(expr, timeMs)),
    ]);
    return sloRows(objectives!, Object.fromEntries(queries.errors.map(({ window }, i) => [window, errors[i]!])));
  }

  async capacity(scope: Scope, timeMs: number, rangeSeconds: number, headroomPercent = DEFAULT_HEADROOM_PERCENT) {
    checkHeadroom(headroomPercent);
    const q = capacityQueries(scope, rangeSeconds);
    const [peak, entries, hint, doublings] = await Promise.all(
      [q.peak, q.entries, q.hint, q.doublings].map((expr) => this.api.instant(expr, timeMs))
    );
    const byMap = (samples: InstantSample[] | undefined) =>
      new Map((samples ?? []).map((s) => [`${s.labels[LABEL_SERVICE]}\u0000${s.labels[LABEL_MAP]}`, s.value]));
    const [entriesBy, hintBy, doublingsBy] = [byMap(entries), byMap(hint), byMap(doublings)];
    return (peak ?? [])
      .map((s) => {
        const k = `${s.labels[LABEL_SERVICE]}\u0000${s.labels[LABEL_MAP]}`;
        return adviseCapacity(
          {
            service: s.labels[LABEL_SERVICE] ?? '',
            map: s.labels[LABEL_MAP] ?? '',
            peakEntries: s.value,
            entries: entriesBy.get(k) ?? s.value,
            hint: hintBy.get(k) ?? 0,
            observedDoublings: Math.round(doublingsBy.get(k) ?? 0),
          },
          headroomPercent
        );
      })
      .sort((a, b) => b.doublingsAvoided - a.doublingsAvoided || a.service.localeCompare(b.service) || a.map.localeCompare(b.map));
  }

  /** The dashboard's variables as `$name`, offered beside label values in the editors. */
  templateVariableNames(): string[] {
    return (this.templateSrv.getVariables?.() ?? []).map((v) => `$${v.name}`);
  }

  /** Label values for an editor's drop-down, e.g. the maps of the chosen service. */
  async optionsFor(kind: VariableKind, argument?: string): Promise<string[]> {
    const query = argument ? `${kind}(${argument})` : `${kind}()`;
    return (await this.metricFindQuery(query)).map((v) => v.text);
  }

  /** Template variables: services(), maps($service), nodes(), gpus($node), slos($service). */
  async metricFindQuery(query: string, options?: { scopedVars?: ScopedVars; range?: { from: { valueOf(): number }; to: { valueOf(): number } } }): Promise<MetricFindValue[]> {
    const parsed = parseVariableQuery(query);
    const argumentValues = this.labelValues(parsed.argument, options?.scopedVars);
    const toMs = options?.range?.to.valueOf() ?? Date.now();
    const fromMs = options?.range?.from.valueOf() ?? toMs - 6 * 3600_000;
    const found = await Promise.all(
      variableLookups(parsed, argumentValues).map(({ label, match }) => this.api.labelValues(label, match, fromMs, toMs))
    );
    const values = [...new Set(found.flat())].sort();
    return values.map((text) => ({ text, value: text }));
  }

  /** "Save & test": the API answers, and it holds Presize metrics. */
  async testDatasource(): Promise<TestDataSourceResponse> {
    if (!this.configuredUrl) {
      return { status: 'error', message: 'Enter the URL of a Prometheus-compatible API (Prometheus, Mimir, Thanos or VictoriaMetrics).' };
    }
    let version: string | undefined;
    try {
      ({ version } = await this.api.buildInfo());
    } catch (error) {
      return { status: 'error', message: `Cannot use ${this.configuredUrl}: ${errorText(error)}` };
    }
    const server = version ? `Prometheus API ${version}` : 'the Prometheus API';
    try {
      const now = Date.now();
      const [maps, gpus] = await Promise.all([
        this.api.instant(`count(${MAP_METRICS.entries})`, now),
        this.api.instant('count(DCGM_FI_DEV_GPU_UTIL)', now),
      ]);
      const mapCount = maps[0]?.value ?? 0;
      const gpuCount = gpus[0]?.value ?? 0;
      if (mapCount === 0 && gpuCount === 0) {
        return {
          status: 'error',
          message:
            `Connected to ${server}, but it holds no Presize metrics (${MAP_METRICS.entries}) and no GPU metrics ` +
            '(DCGM_FI_DEV_GPU_UTIL). Start the services with `node --import @presize/auto-instrumentation/register` and ' +
            'make sure Prometheus scrapes them.',
        };
      }
      return {
        status: 'success',
        message: `Connected to ${server}: ${mapCount} presized map${mapCount === 1 ? '' : 's'} and ${gpuCount} GPU${gpuCount === 1 ? '' : 's'} reporting.`,
      };
    } catch (error) {
      return { status: 'error', message: `Connected to ${server}, but a query failed: ${errorText(error)}` };
    }
  }
}
