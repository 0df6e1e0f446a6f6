import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * The modules Presize's instrumentations patch on `import` (lru-cache 7.18 to 11.2). The loader
 * wraps these only: every other module of the application is loaded as Node loads it.
 */
export const HOOKED_ESM_MODULES: readonly string[] = ['lru-cache'];

/**
 * Registers import-in-the-middle's loader, through which OpenTelemetry's module hooks see ES
 * modules (`import { LRUCache } from 'lru-cache'`); `require` needs no loader. Runs before the
 * application's first import when `register` is given to `--import` or `--require`.
 */
export function registerEsmHooks(): void {
  register('import-in-the-middle/hook.mjs', ownUrl(), { data: { include: [...HOOKED_ESM_MODULES] } });
}

/**
 * The URL of this file, from which the loader's specifier resolves. One source compiles to the
 * ESM build (where only `import.meta.url` knows it) and the CommonJS build (only `__filename`), so
 * the file is read from the call site V8 records, which both have.
 */
function ownUrl(): string {
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_, frames) => frames;
  const frames = new Error().stack as unknown as NodeJS.CallSite[];
  Error.prepareStackTrace = prepare;
  const file = frames[0]?.getFileName();
  if (file === undefined || file === null) throw new Error('registerEsmHooks: cannot tell where this module is');
  return file.startsWith('file:') ? file : pathToFileURL(file).href;
}
