/** The time series query types: map growth and GPU fields, one frame per series. */
import { gpuQueries, mapGrowthQueries, type SeriesQuery } from '../core/queries';
import { timeSeriesFrames } from '../frames';
import type { QueryContext, QueryHandler } from './context';

async function draw(refId: string, queries: SeriesQuery[], { api, fromMs, toMs, stepSeconds }: QueryContext) {
  const results = await Promise.all(queries.map((q) => api.range(q.expr, fromMs, toMs, stepSeconds)));
  return results.flatMap((series, i) => timeSeriesFrames(refId, queries[i]!, series));
}

export const mapGrowth: QueryHandler = (query, context) =>
  draw(query.refId, mapGrowthQueries(query.growthView ?? 'growths', context.scope, context.stepSeconds), context);

export const gpu: QueryHandler = (query, context) =>
  draw(query.refId, gpuQueries(query.gpuFields ?? [], context.scope), context);
