/** SLO results from Sloth's recording rules at the end of the range. */
import { sloQueries, sloRows } from '../core/slo';
import { sloFrame } from '../frames';
import type { QueryHandler } from './context';

export const slo: QueryHandler = async (query, { api, scope, selection, toMs }) => {
  const queries = sloQueries({ services: scope.services, slos: selection(query.slo) });
  const [objectives, ...errors] = await Promise.all([
    api.instant(queries.objective, toMs),
    ...queries.errors.map(({ expr }) => api.instant(expr, toMs)),
  ]);
  const rows = sloRows(objectives!, Object.fromEntries(queries.errors.map(({ window }, i) => [window, errors[i]!])));
  return [sloFrame(query.refId, rows)];
};
