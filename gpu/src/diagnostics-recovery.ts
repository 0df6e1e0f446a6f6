/** The marker's type: an object that reads as "(recovered)" wherever a logger prints its arguments. */
export interface DiagnosticsRecovery {
  readonly recovered: true;
  toString(): string;
}

const REGISTRY_KEY = Symbol.for('@presize/diagnostics.recovery');
const registry = globalThis as { [REGISTRY_KEY]?: DiagnosticsRecovery };

/**
 * Passed as the last argument of a diagnostic that says a failure is over (`diag.warn('... back',
 * DIAGNOSTICS_RECOVERY)`). register's de-duplicating logger then shows that source's failures
 * again should they recur, instead of never again. One object per process, kept on globalThis, so
 * that every copy of the packages (ES module and CommonJS) passes the same one; an object, not a
 * symbol, because loggers join their arguments into text and a symbol cannot be.
 */
export const DIAGNOSTICS_RECOVERY: DiagnosticsRecovery = (registry[REGISTRY_KEY] ??= Object.freeze({
  recovered: true as const,
  toString: () => '(recovered)',
}));
