import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * The modules Presize's instrumentations patch on `import` (lru-cache 7.18 to 11.2). The loader
 * wraps these only: every other module of the application is loaded as Node loads it.
 */
export const HOOKED_ESM_MODULES: readonly string[] = ['lru-cache'];

/**
 * Set in the environment only while the loader is registered. Node starts the loader's thread
 * inside `register`, with a copy of the environment of that moment, and runs the `--require`
 * preloads again in it: there, and only there, the variable is set. Threads the application
 * starts later copy the environment without it.
 */
const HOOKS_THREAD_MARK = 'PRESIZE_INTERNAL_MODULE_HOOKS_THREAD';

/**
 * Registers import-in-the-middle's loader, through which OpenTelemetry's module hooks see ES
 * modules (`import { LRUCache } from 'lru-cache'`); `require` needs no loader.
 */
export function registerEsmHooks(): void {
  const here = ownFile();
  // V8 names an ES module by its URL, a CommonJS module by its path.
  const parent = here.startsWith('file:') ? here : pathToFileURL(here);
  process.env[HOOKS_THREAD_MARK] = '1';
  try {
    register('import-in-the-middle/hook.mjs', parent, { data: { include: [...HOOKED_ESM_MODULES] } });
  } finally {
    delete process.env[HOOKS_THREAD_MARK];
  }
}

/** Whether this code runs in the thread of the loader registerEsmHooks registered, not the application's. */
export function inModuleHooksThread(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[HOOKS_THREAD_MARK] !== undefined;
}

/**
 * The file of this module, from the call site V8 records: one source compiles to the ESM build
 * (where only `import.meta.url` knows it) and the CommonJS build (only `__filename`).
 */
function ownFile(): string {
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_, frames) => frames;
  const frames = new Error().stack as unknown as NodeJS.CallSite[];
  Error.prepareStackTrace = prepare;
  const file = frames[0]?.getFileName();
  if (file === undefined || file === null) throw new Error('registerEsmHooks: cannot tell where this module is');
  return file;
}
