/** The risk map table: each wanted kind's recorded factor scores and figures at the end of the range, ranked in the browser. */
import { type RiskRow, riskRows, sortRiskRows, subjectQueries, wantedSubjects } from '../core/risk';
import { riskFrame } from '../frames';
import type { QueryHandler } from './context';

export const riskMap: QueryHandler = async (query, { api, scope, toMs, rangeSeconds }) => {
  const instant = (expr: string) => api.instant(expr, toMs);
  const perKind = await Promise.all(
    wantedSubjects(query.subjects, scope).map(async (subject): Promise<RiskRow[]> => {
      const queries = subjectQueries(subject, scope, rangeSeconds);
      const [scores, factorScores, extras] = await Promise.all([
        instant(queries.scores),
        instant(queries.factorScores),
        Promise.all(queries.extras.map(async ({ extra, expr }) => [extra, await instant(expr)] as const)),
      ]);
      return riskRows(subject, { scores, factorScores, extras: Object.fromEntries(extras) }, scope);
    })
  );
  return [riskFrame(query.refId, sortRiskRows(perKind.flat()))];
};
