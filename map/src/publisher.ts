// The entry for code that publishes map events for maps of its own (the native `Map` observer of
// `@presize/instrumentation`): the same payloads and ids as a presized map's, on the same channels.
export { MapEventPublisher, nextMapId } from './events.js';
export type { GrowthKind, GrowthTrigger, ObservedMap } from './events.js';
export type { PresizedMapStats } from './stats.js';
