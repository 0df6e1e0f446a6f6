/** The risk map table: each wanted kind's factor inputs and figures at the end of the range, scored in the browser. */
import { type RiskRow, riskRows, sortRiskRows, subjectQueries, wantedSubjects } from '../core/risk';
import { riskFrame } from '../frames';
import type { QueryHandler } from './context';

export const riskMap: QueryHandler = async (query, { api, scope, toMs, rangeSeconds }) => {
  const instant = (expr: string) => api.instant(expr, toMs);
  const perKind = await Promise.all(
    wantedSubjects(query.subjects, scope).map(async (subject): Promise<RiskRow[]> => {
      const queries = subjectQueries(subject, scope, rangeSeconds);
      const [inputs, extras] = await Promise.all([
        Promise.all(queries.inputs.map(async ({ reason, expr }) => [reason, await instant(expr)] as const)),
        Promise.all(queries.extras.map(async ({ extra, expr }) => [extra, await instant(expr)] as const)),
      ]);
      return riskRows(subject, { inputs: Object.fromEntries(inputs), extras: Object.fromEntries(extras) }, scope);
    })
  );
  return [riskFrame(query.refId, sortRiskRows(perKind.flat()))];
};
