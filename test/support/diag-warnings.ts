// OpenTelemetry's diagnostic logger, captured: the telemetry caps are tested for the one warning
// each gives when it is reached, whichever package's test it is.
import { diag, DiagLogLevel } from '@opentelemetry/api';

/** Routes `diag` warnings, each as one line, into the returned list, until `diag.disable()`. */
export function captureDiagWarnings(): string[] {
  const warnings: string[] = [];
  diag.setLogger(
    {
      error() {},
      warn: (...parts: unknown[]) => warnings.push(parts.join(' ')),
      info() {},
      debug() {},
      verbose() {},
    },
    DiagLogLevel.WARN,
  );
  return warnings;
}
