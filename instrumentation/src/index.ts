export * from './map/channels.js';
export type { PresizedMapStats } from './map/stats.js';
export * from './semconv.js';
export { BoundedList, appendBounded, MAX_BOUNDED_CAPACITY } from './map/bounded-list.js';
export type { MapOfLists } from './map/bounded-list.js';
