/** Growth events, for annotations: one per map and step in which it grew. */
import { LABEL_GROWTH_KIND, LABEL_GROWTH_TRIGGER, LABEL_MAP, LABEL_SERVICE } from '../core/names';
import { growthEventQuery } from '../core/queries';
import { growthEventFrame, growthEvents as eventsOf } from '../frames';
import type { QueryHandler } from './context';

export const growthEvents: QueryHandler = async (query, { api, scope, fromMs, toMs, stepSeconds }) => {
  const series = await api.range(growthEventQuery(scope, stepSeconds).expr, fromMs, toMs, stepSeconds);
  const events = eventsOf(series, {
    service: LABEL_SERVICE,
    map: LABEL_MAP,
    kind: LABEL_GROWTH_KIND,
    trigger: LABEL_GROWTH_TRIGGER,
  });
  return [growthEventFrame(query.refId, events)];
};
