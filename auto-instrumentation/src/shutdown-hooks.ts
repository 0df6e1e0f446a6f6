/** Longest a shutdown may wait for exporters before the process goes on exiting. */
export const SHUTDOWN_TIMEOUT_MS = 5000;

export interface Flushable {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const TERMINATING_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes telemetry when the process ends, without changing how it ends:
 * - `beforeExit` (the event loop ran dry): shut the SDK down (at most SHUTDOWN_TIMEOUT_MS), then
 *   exit with the exit code the process had.
 * - SIGTERM/SIGINT when the application has no handler of its own: shut down (at most
 *   SHUTDOWN_TIMEOUT_MS), then re-raise the signal with our handler removed, so the process dies
 *   by that signal exactly as it would have without telemetry (exit status 128 + signal number).
 * - SIGTERM/SIGINT when the application handles the signal itself: it decides whether and when to
 *   exit, so only flush; the SDK keeps running if the application keeps running.
 * Returns a function that removes the hooks.
 */
export function installShutdownHooks(sdk: Flushable, timeoutMs = SHUTDOWN_TIMEOUT_MS): () => void {
  let shutdown: Promise<void> | undefined;
  const shutdownOnce = (): Promise<void> => (shutdown ??= bounded(sdk.shutdown(), timeoutMs));

  const onBeforeExit = (): void => {
    // The loop is empty: the application has finished. An exporter retrying against a collector
    // that is down would keep it alive for its whole retry schedule; once the bounded shutdown is
    // over, exit as the process was about to, unless another beforeExit listener has work.
    void shutdownOnce().then(() => {
      if (process.listenerCount('beforeExit') === 0) process.exit();
    });
  };
  const signalHandlers = TERMINATING_SIGNALS.map((signal) => {
    const handler = (): void => {
      const applicationHandlers = process.listeners(signal).filter((l) => l !== handler);
      if (applicationHandlers.length > 0) {
        void bounded(sdk.forceFlush(), timeoutMs);
        return;
      }
      process.removeListener(signal, handler);
      void shutdownOnce().then(() => {
        // A handler the application added while we were flushing now owns the signal.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  process.once('beforeExit', onBeforeExit);

  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
  };
}

/** Resolves when `work` settles or after `timeoutMs`, whichever is first; never rejects. */
function bounded(work: Promise<void>, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        // The SDK has already reported the failure through the diagnostic logger.
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
