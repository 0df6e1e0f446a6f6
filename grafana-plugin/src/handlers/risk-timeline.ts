/**
 * Risk over time: the recorded score of every wanted map, lru-cache and GPU over the range, as its
 * risk level, one frame per subject, for a state timeline (which subject turned red when).
 */
import { filterSelector } from '@presize/definitions';

import { wantedSubjects } from '../core/risk';
import { riskTimelineFrame } from '../frames';
import type { QueryHandler } from './context';

export const riskTimeline: QueryHandler = async (query, { api, scope, fromMs, toMs, stepSeconds }) => {
  const perKind = await Promise.all(
    wantedSubjects(query.subjects, scope).map(async (subject) => {
      const series = await api.range(
        filterSelector(subject.scoreRecord, subject.filters(scope) ?? []),
        fromMs,
        toMs,
        stepSeconds
      );
      return series
        .filter((s) => subject.inScope(s.labels, scope))
        .map((s) => ({
          kind: subject.kind,
          service: subject.service(s.labels),
          subject: subject.name(s.labels),
          series: s,
        }));
    })
  );
  const timelines = perKind
    .flat()
    .sort((a, b) => a.service.localeCompare(b.service) || a.subject.localeCompare(b.subject));
  return timelines.map((t) => riskTimelineFrame(query.refId, t));
};
