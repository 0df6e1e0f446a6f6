/** The handler of each query type. */
import type { QueryType } from '../types';
import { capacity } from './capacity';
import type { QueryHandler } from './context';
import { growthEvents } from './growth-events';
import { riskMap } from './risk-map';
import { riskTimeline } from './risk-timeline';
import { slo } from './slo';
import { gpu, mapGrowth } from './time-series';

export const QUERY_HANDLERS: Readonly<Record<QueryType, QueryHandler>> = {
  riskMap,
  riskTimeline,
  slo,
  mapGrowth,
  gpu,
  capacity,
  growthEvents,
};
