export * from './map/channels.js';
export type { PresizedMapStats } from './map/stats.js';
export * from './semconv.js';
