/**
 * Capacity advice per map from what Prometheus saw: the peak entry count over the range, the hint the
 * map was made with, and the doublings it went through. The sizing arithmetic is the map's own
 * planner (Go's makemap rules), so the advice and the map agree on every boundary.
 */
import { bucketsForHint, tableBytes } from '@presize/map/planner';

export interface CapacityObservation {
  service: string;
  map: string;
  /** Largest entry count seen over the range. */
  peakEntries: number;
  /** Entry count at the end of the range. */
  entries: number;
  /** Capacity hint the map was created with (0 when none). */
  hint: number;
  /** Doubling growths counted over the range. */
  observedDoublings: number;
}

export interface CapacityAdvice extends CapacityObservation {
  /** The hint to create the map with: the peak plus headroom, rounded up. */
  recommendedHint: number;
  /** log2 buckets the current hint gives, and the recommended one. */
  currentB: number;
  recommendedB: number;
  /** Doublings a map made with the current hint needs to hold the peak; the recommended hint needs none. */
  doublingsAvoided: number;
  /** Table bytes at the recommended size, and the difference to the table the peak already forced. */
  recommendedBytes: number;
  extraBytes: number;
  /** Entries the recommended table holds before its first doubling. */
  recommendedCapacity: number;
  /** One sentence a person can act on. */
  advice: string;
}

export const DEFAULT_HEADROOM_PERCENT = 25;

export function checkHeadroom(percent: number): number {
  if (!Number.isFinite(percent) || percent < 0 || percent > 1000) {
    throw new RangeError(`headroom must be a percentage from 0 to 1000, got ${String(percent)}`);
  }
  return percent;
}

function clampHint(value: number): number {
  return Math.max(0, Math.ceil(value));
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${bytes < 0 ? '-' : ''}${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function adviseCapacity(
  observation: CapacityObservation,
  headroomPercent = DEFAULT_HEADROOM_PERCENT
): CapacityAdvice {
  checkHeadroom(headroomPercent);
  const peak = clampHint(Math.max(observation.peakEntries, observation.entries));
  const hint = clampHint(observation.hint);
  // Decimal rounding first, so that 100 entries with 10 % headroom ask for 110, not 111.
  const recommendedHint = clampHint(Number((peak * (1 + headroomPercent / 100)).toPrecision(12)));
  const current = bucketsForHint(hint);
  const recommended = bucketsForHint(recommendedHint);
  const peakB = bucketsForHint(peak).B;
  const doublingsAvoided = Math.max(0, peakB - current.B);
  const recommendedBytes = tableBytes(recommended.B);
  const extraBytes = recommendedBytes - tableBytes(Math.max(peakB, current.B));

  let advice: string;
  if (hint >= peak && doublingsAvoided === 0 && hint > 0) {
    advice =
      hint >= recommendedHint
        ? `Hint ${hint} covers the peak of ${peak} with room to spare; keep it.`
        : `Hint ${hint} covers the peak of ${peak} but leaves less than ${headroomPercent} % headroom; raise it to ${recommendedHint}.`;
  } else {
    advice =
      `Create the map with hint ${recommendedHint}: the peak of ${peak} entries outgrew ` +
      `${hint ? `hint ${hint}` : 'no hint'}, costing ${doublingsAvoided} doubling${doublingsAvoided === 1 ? '' : 's'}; ` +
      `the table takes ${formatBytes(recommendedBytes)} (${extraBytes >= 0 ? '+' : ''}${formatBytes(extraBytes)}).`;
  }

  return {
    ...observation,
    recommendedHint,
    currentB: current.B,
    recommendedB: recommended.B,
    doublingsAvoided,
    recommendedBytes,
    extraBytes,
    recommendedCapacity: recommended.nextGrowthAt,
    advice,
  };
}
