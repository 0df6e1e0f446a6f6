/**
 * The risk map table: each wanted kind's subjects ranked by their recorded scores, then the
 * listed subjects' factor scores and figures at the end of the range, scored in the browser.
 */
import {
  checkRiskRows,
  DEFAULT_RISK_ROWS,
  rankingQueries,
  type RiskRow,
  riskRows,
  sortRiskRows,
  subjectQueries,
  wantedSubjects,
} from '../core/risk';
import { riskFrame } from '../frames';
import type { QueryHandler } from './context';

export const riskMap: QueryHandler = async (query, { api, scope, toMs, rangeSeconds }) => {
  const rows = checkRiskRows(query.rows ?? DEFAULT_RISK_ROWS);
  const instant = (expr: string) => api.instant(expr, toMs);
  const perKind = await Promise.all(
    wantedSubjects(query.subjects, scope).map(async (subject): Promise<{ rows: RiskRow[]; subjects: number }> => {
      const ranking = rankingQueries(subject, scope, rows);
      const [listed, count] = await Promise.all([
        instant(ranking.subjects),
        ranking.count === undefined ? undefined : instant(ranking.count),
      ]);
      // Narrowed to the listed subjects only when the ranking may have left some out: a kind read
      // whole lists every subject, and naming them all would only lengthen its queries.
      const leftOut = ranking.count !== undefined && listed.length >= rows;
      const queries = subjectQueries(subject, scope, rangeSeconds, leftOut ? listed : undefined);
      const [factorScores, extras] = await Promise.all([
        instant(queries.factorScores),
        Promise.all(queries.extras.map(async ({ extra, expr }) => [extra, await instant(expr)] as const)),
      ]);
      const kindRows = riskRows(subject, { subjects: listed, factorScores, extras: Object.fromEntries(extras) }, scope);
      return { rows: kindRows, subjects: count?.[0]?.value ?? kindRows.length };
    })
  );
  const subjects = perKind.reduce((sum, kind) => sum + kind.subjects, 0);
  const worst = sortRiskRows(perKind.flatMap((kind) => kind.rows)).slice(0, rows);
  return [riskFrame(query.refId, worst, subjects)];
};
