import diagnostics_channel from 'node:diagnostics_channel';
import { MAP_CHANNELS } from '../../src/events.js';

export type ChannelName = keyof typeof MAP_CHANNELS;

export interface Recorded {
  channel: ChannelName;
  message: Record<string, unknown>;
}

/**
 * Subscribes to every map channel and records the events of the maps whose id `accept` returns
 * true for; `stop()` unsubscribes.
 */
export function recordEvents(accept: (mapId: number) => boolean = () => true): {
  events: Recorded[];
  of: (channel: ChannelName) => Record<string, unknown>[];
  stop: () => void;
} {
  const events: Recorded[] = [];
  const handlers = (Object.keys(MAP_CHANNELS) as ChannelName[]).map((channel) => {
    const handler = (message: unknown): void => {
      const event = message as Record<string, unknown>;
      if (accept(event['mapId'] as number)) events.push({ channel, message: event });
    };
    diagnostics_channel.subscribe(MAP_CHANNELS[channel], handler);
    return { channel, handler };
  });
  return {
    events,
    of: (channel) => events.filter((e) => e.channel === channel).map((e) => e.message),
    stop: () => {
      for (const { channel, handler } of handlers) diagnostics_channel.unsubscribe(MAP_CHANNELS[channel], handler);
    },
  };
}

/** Keys shaped like the device ids of the incident: `dev_` and 8 hex digits. */
export function deviceKey(i: number): string {
  return `dev_${(Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0')}`;
}

const FAMILY_BASE = Array.from('device/0123456789abcdef/0123456789abcdef/0123456789abcdef/01234567', (c) =>
  c.charCodeAt(0),
);

/**
 * Key `i` (0 .. 65535) of a family that shared one 64-bit hash under every seed of the previous
 * string hash: bit k of `i` flips the top bit of one code unit of a round (the unit that fed bit
 * 31 of a lane's word) and bits 15 and 0 of the unit four places on, which cancelled, in the next
 * round, the fixed difference the first flip had left in that lane.
 */
export function oldHashCollisionKey(i: number): string {
  const units = FAMILY_BASE.slice();
  for (let bit = 0; bit < 16; bit++) {
    if ((i & (1 << bit)) === 0) continue;
    const at = (bit >> 1) * 8 + ((bit & 1) === 0 ? 1 : 3);
    units[at]! ^= 0x8000;
    units[at + 4]! ^= 0x8001;
  }
  return String.fromCharCode(...units);
}
