import { DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { DIAGNOSTICS_RECOVERY } from '@presize/gpu';

type Level = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<Level, DiagLogLevel> = {
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
};

/** Distinct messages remembered; past this, new messages are dropped rather than memory grown. */
const MAX_DISTINCT_MESSAGES = 200;

/** Where a message comes from: a component logger's namespace, or the SDK itself. */
function channelOf(message: string): string {
  return /^@[\w.-]+\/\S+$/.test(message) ? message : 'sdk';
}

/**
 * A diagnostic logger that writes each distinct message once (as shown: the same failure reported
 * from two places, with two stacks, is one message) until its source recovers. An exporter whose
 * collector is down fails on every export (every 60 s for metrics, every batch for spans); the
 * operator needs to read that once, not find the service's own log drowned. Messages that differ
 * only in numbers (ports, counts, timestamps) count as the same message.
 *
 * A recovery is a message whose last argument is DIAGNOSTICS_RECOVERY. It is written when its
 * source (the component logger's namespace, or the SDK for messages of no component) had
 * something written, and it makes that source's messages new again: a second outage is reported
 * as the first was.
 */
export class OnceLogger implements DiagLogger {
  /** Every message written, by key, with its source. */
  private readonly seen = new Map<string, string>();
  private full = false;

  /**
   * `lessThanErrorsFrom`: when given, messages below error level are written only from component
   * loggers whose namespace starts with it. The SDK warns about settings it was given on purpose
   * (`OTEL_TRACES_EXPORTER=none`), while Presize's own warnings (a GPU exporter that stopped
   * answering, an lru-cache too old to observe) are what the operator must read.
   */
  constructor(
    private readonly sink: Pick<Console, Level> = console,
    private readonly lessThanErrorsFrom?: string,
    /**
     * Messages above this level are not written. Given here rather than to `diag.setLogger`, so
     * that a recovery (a warning) still reaches this logger when only errors are shown: the
     * errors it closes must be shown again if they recur.
     */
    private readonly threshold: DiagLogLevel = DiagLogLevel.ALL,
  ) {}

  error(message: string, ...args: unknown[]): void {
    this.write('error', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.write('warn', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.write('info', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.write('debug', message, args);
  }
  verbose(message: string, ...args: unknown[]): void {
    this.write('debug', message, args);
  }

  private write(level: Level, message: string, args: unknown[]): void {
    if (args.at(-1) === DIAGNOSTICS_RECOVERY) {
      this.recover(level, message, args.slice(0, -1));
      return;
    }
    if (LEVELS[level] > this.threshold) return;
    if (level !== 'error' && this.lessThanErrorsFrom !== undefined && !message.startsWith(this.lessThanErrorsFrom))
      return;
    const shown = readable(message);
    const key = `${level} ${shown} ${args.map(describe).join(' ')}`.replace(/\d+/g, '#');
    if (this.seen.has(key)) return;
    if (this.seen.size >= MAX_DISTINCT_MESSAGES) {
      if (!this.full) {
        this.full = true;
        this.sink.warn(
          `@presize/instrumentation: more than ${MAX_DISTINCT_MESSAGES} distinct OpenTelemetry diagnostics; further ones are not shown`,
        );
      }
      return;
    }
    this.seen.set(key, channelOf(message));
    this.sink[level](`@presize/instrumentation: ${shown}`, ...args, '(shown once; repeats are not logged)');
  }

  private recover(level: Level, message: string, args: unknown[]): void {
    const channel = channelOf(message);
    let closed = 0;
    for (const [key, source] of this.seen) {
      if (source !== channel) continue;
      this.seen.delete(key);
      closed++;
    }
    if (closed === 0) return;
    this.full = false;
    this.sink[LEVELS[level] > this.threshold ? 'error' : level](
      `@presize/instrumentation: ${readable(message)}`,
      ...args,
      '(its failures will be shown again if they recur)',
    );
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The SDK's error handler hands errors over as JSON with their stack; the message is enough. */
function readable(message: string): string {
  if (!message.startsWith('{')) return message;
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
      return String(parsed.message);
    }
  } catch {
    // Not JSON after all: shown as it came.
  }
  return message;
}
