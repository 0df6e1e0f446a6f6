/** Capacity advice per map: what Prometheus saw over the range, joined per map and sized by the planner. */
import { adviseCapacity, checkHeadroom, DEFAULT_HEADROOM_PERCENT } from '../core/capacity';
import { LABEL_MAP, LABEL_SERVICE } from '../core/names';
import type { InstantSample } from '../core/prometheus-api';
import { capacityQueries } from '../core/queries';
import { capacityFrame } from '../frames';
import type { QueryHandler } from './context';

const mapKey = (s: InstantSample) => `${s.labels[LABEL_SERVICE]}\u0000${s.labels[LABEL_MAP]}`;

export const capacity: QueryHandler = async (query, { api, scope, toMs, rangeSeconds }) => {
  const headroomPercent = checkHeadroom(query.headroomPercent ?? DEFAULT_HEADROOM_PERCENT);
  const q = capacityQueries(scope, rangeSeconds);
  const [peak, entries, hint, doublings] = await Promise.all(
    [q.peak, q.entries, q.hint, q.doublings].map((expr) => api.instant(expr, toMs))
  );
  const byMap = (samples: InstantSample[] | undefined) => new Map((samples ?? []).map((s) => [mapKey(s), s.value]));
  const [entriesBy, hintBy, doublingsBy] = [byMap(entries), byMap(hint), byMap(doublings)];
  const rows = (peak ?? [])
    .map((s) =>
      adviseCapacity(
        {
          service: s.labels[LABEL_SERVICE] ?? '',
          map: s.labels[LABEL_MAP] ?? '',
          peakEntries: s.value,
          entries: entriesBy.get(mapKey(s)) ?? s.value,
          hint: hintBy.get(mapKey(s)) ?? 0,
          observedDoublings: Math.round(doublingsBy.get(mapKey(s)) ?? 0),
        },
        headroomPercent
      )
    )
    .sort(
      (a, b) =>
        b.doublingsAvoided - a.doublingsAvoided || a.service.localeCompare(b.service) || a.map.localeCompare(b.map)
    );
  return [capacityFrame(query.refId, rows)];
};
