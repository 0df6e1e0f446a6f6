import {
  DEFAULT_NATIVE_MAPS_MIN,
  installNativeMapObserver,
  resolveEngineLimit,
  type NativeMapObserver,
} from '@presize/instrumentation';

export interface NativeMapsFromEnv {
  /** The installed observer, when PRESIZE_NATIVE_MAPS=observe. */
  readonly observer: NativeMapObserver | undefined;
  /** One message per variable whose value was not understood, naming it and what was used. */
  readonly problems: string[];
}

/**
 * `PRESIZE_NATIVE_MAPS=observe` turns the zero-code mode on for native Maps and Sets (off by
 * default, and with `off` or an empty value); `PRESIZE_NATIVE_MAPS_MIN` sets the entries at which
 * a collection is found (default 65,536); `PRESIZE_NATIVE_MAPS_ENGINE_LIMIT` replaces the engine's
 * limit (`engineLimit`). A value that is not understood is reported and the safe default used: an unknown mode
 * leaves maps alone, a bad threshold keeps the default.
 */
export function nativeMapsFromEnv(env: NodeJS.ProcessEnv = process.env): NativeMapsFromEnv {
  const problems: string[] = [];
  const mode = (env.PRESIZE_NATIVE_MAPS ?? '').trim().toLowerCase();
  if (mode !== 'observe') {
    if (mode !== '' && mode !== 'off') {
      problems.push(
        `PRESIZE_NATIVE_MAPS=${JSON.stringify(env.PRESIZE_NATIVE_MAPS)}: expected observe or off; native maps are not observed`,
      );
    }
    return { observer: undefined, problems };
  }
  let minEntries = DEFAULT_NATIVE_MAPS_MIN;
  const min = env.PRESIZE_NATIVE_MAPS_MIN?.trim().replace(/_/g, '');
  if (min !== undefined && min !== '') {
    const parsed = /^\d+$/.test(min) ? Number(min) : Number.NaN;
    if (Number.isSafeInteger(parsed) && parsed >= 1) minEntries = parsed;
    else {
      problems.push(
        `PRESIZE_NATIVE_MAPS_MIN=${JSON.stringify(env.PRESIZE_NATIVE_MAPS_MIN)}: expected a whole number of entries >= 1; using ${DEFAULT_NATIVE_MAPS_MIN}`,
      );
    }
  }
  const observer = installNativeMapObserver({ minEntries });
  const { problem } = resolveEngineLimit(env);
  if (problem !== undefined) problems.push(problem);
  return { observer, problems };
}
