import { register } from 'node:module';

/**
 * The modules Presize's instrumentations patch on `import` (lru-cache 7.18 to 11.2). The loader
 * wraps these only: every other module of the application is loaded as Node loads it.
 */
export const HOOKED_ESM_MODULES: readonly string[] = ['lru-cache'];

/**
 * Registers import-in-the-middle's loader, through which OpenTelemetry's module hooks see ES
 * modules (`import { LRUCache } from 'lru-cache'`); `require` needs no loader. Only from the ESM
 * build, the one `--import` loads: Node runs `--require` preloads again in the loader's own thread,
 * where the CommonJS build would start a second SDK (and its Prometheus endpoint).
 */
export function registerEsmHooks(): void {
  const here = ownFile();
  // V8 names an ES module by its URL, a CommonJS module by its path.
  if (!here.startsWith('file:')) return;
  register('import-in-the-middle/hook.mjs', here, { data: { include: [...HOOKED_ESM_MODULES] } });
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
