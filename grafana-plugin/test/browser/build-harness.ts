import { build, type Plugin } from 'esbuild';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/**
 * @grafana/ui's .mjs files import the default export of react-custom-scrollbars-2, a CommonJS module
 * compiled from ES modules. esbuild follows Node for .mjs importers and hands them the whole
 * `module.exports`; Grafana's own bundler hands them `exports.default`. This does the same.
 */
const commonJsDefaults: Plugin = {
  name: 'commonjs-default-for-mjs',
  setup(on) {
    on.onResolve({ filter: /^react-custom-scrollbars-2$/ }, (args) =>
      args.namespace === 'file' && args.importer.endsWith('.mjs')
        ? { path: require.resolve(args.path, { paths: [args.resolveDir] }), namespace: 'cjs-default' }
        : undefined
    );
    on.onLoad({ filter: /.*/, namespace: 'cjs-default' }, (args) => ({
      contents: `import * as module from ${JSON.stringify(args.path)}; export default module.default ?? module;`,
      resolveDir: join(args.path, '..'),
      loader: 'js',
    }));
  },
};

/** Bundles the editor page with React and the real @grafana/ui into one script. */
export async function buildHarness(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(__dirname, 'harness.tsx')],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'transform',
    logLevel: 'error',
    plugins: [commonJsDefaults],
    define: {
      'process.env.NODE_ENV': JSON.stringify(process.env.HARNESS_NODE_ENV ?? 'production'),
      global: 'globalThis',
    },
    alias: {
      '@presize/definitions': join(ROOT, 'definitions/src/index.ts'),
      '@presize/map/planner': join(ROOT, 'map/src/planner.ts'),
    },
    loader: { '.svg': 'text', '.ttf': 'empty', '.woff': 'empty', '.woff2': 'empty', '.png': 'dataurl' },
  });
}
