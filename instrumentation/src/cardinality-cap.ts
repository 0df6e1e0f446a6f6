import type { Attributes } from '@opentelemetry/api';

/**
 * The attribute OpenTelemetry's SDKs put on the one series that takes the measurements beyond an
 * instrument's cardinality limit (`otel.metric.overflow` = true). Presize's overflow series carry
 * it too, beside their own name attribute, so that tools which know the SDK's convention find them.
 */
export const ATTR_METRIC_OVERFLOW = 'otel.metric.overflow';
/** The name (`presize.map.name`, `presize.lru.name`, `presize.gpu.field`) of an overflow series. */
export const OVERFLOW_NAME = '_overflow';

/** The attributes of the overflow series of a name attribute. */
export function overflowAttributes(nameAttribute: string): Attributes {
  return { [nameAttribute]: OVERFLOW_NAME, [ATTR_METRIC_OVERFLOW]: true };
}

/**
 * A limit on the series one kind of subject (map names, cache names, GPU drop fields) may have
 * at once in a process, as the OpenTelemetry SDK's cardinality limit does per instrument: the
 * limit counts the overflow series, so at most `limit - 1` subjects have a series of their own
 * and everything beyond shares the overflow series. The first refusal is logged once.
 */
export class CardinalityCap {
  private held = 0;
  private warned = false;

  constructor(
    readonly limit: number,
    private readonly warn: (message: string) => void,
    /** Says what was refused, for the warning: `map names (presize.map.name)`. */
    private readonly subject: string,
    /** The option that raises the limit, for the warning. */
    private readonly option: string,
  ) {
    checkLimit(limit, option);
  }

  /** Takes a slot for a new series; false when the series must go to the overflow series. */
  admit(): boolean {
    if (this.held < this.limit - 1) {
      this.held++;
      return true;
    }
    if (!this.warned) {
      this.warned = true;
      this.warn(
        `more than ${this.limit - 1} ${this.subject} at once: the others are counted in the series named "${OVERFLOW_NAME}" ` +
          `(with ${ATTR_METRIC_OVERFLOW}=true). Raise ${this.option} if they are all wanted; name subjects by role, not by request.`,
      );
    }
    return false;
  }

  /** Gives back the slot of a series that was removed. */
  release(): void {
    if (this.held > 0) this.held--;
  }

  /** Series holding a slot. */
  get size(): number {
    return this.held;
  }
}

/** A cardinality limit: an integer from 2 (one series and the overflow) up. */
export function checkLimit(limit: unknown, option: string): void {
  if (!(typeof limit === 'number' && Number.isInteger(limit) && limit >= 2)) {
    throw new RangeError(`${option} must be an integer >= 2 (it counts the overflow series), got ${String(limit)}`);
  }
}
