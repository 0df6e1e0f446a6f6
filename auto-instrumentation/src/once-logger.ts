import type { DiagLogger } from '@opentelemetry/api';

type Level = 'error' | 'warn' | 'info' | 'debug';

/** Distinct messages remembered; past this, new messages are dropped rather than memory grown. */
const MAX_DISTINCT_MESSAGES = 200;

/**
 * A diagnostic logger that writes each distinct message once (as shown: the same failure reported
 * from two places, with two stacks, is one message). An exporter whose collector is
 * down fails on every export (every 60 s for metrics, every batch for spans); the operator needs
 * to read that once, not find the service's own log drowned. Messages that differ only in numbers
 * (ports, counts, timestamps) count as the same message.
 */
export class OnceLogger implements DiagLogger {
  private readonly seen = new Set<string>();
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
    if (level !== 'error' && this.lessThanErrorsFrom !== undefined && !message.startsWith(this.lessThanErrorsFrom)) return;
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
    this.seen.add(key);
    this.sink[level](
      `@presize/instrumentation: ${shown}`,
      ...args,
      '(shown once; repeats are not logged)',
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
