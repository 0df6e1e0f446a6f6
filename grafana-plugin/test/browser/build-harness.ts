import { build } from 'esbuild';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

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
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    alias: {
      '@presize/definitions': join(ROOT, 'definitions/src/index.ts'),
      '@presize/instrumentation/planner': join(ROOT, 'instrumentation/src/map/planner.ts'),
    },
    loader: { '.svg': 'text', '.ttf': 'empty', '.woff': 'empty', '.woff2': 'empty', '.png': 'dataurl' },
  });
}
