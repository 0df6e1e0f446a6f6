// One lint configuration for every package: TypeScript's recommended rules everywhere, and for the
// Grafana plugin the rules of Grafana's own plugin scaffolding (grafana-plugin/eslint.config.mjs),
// applied to its files only. Formatting is Prettier's (.prettierrc.json), checked apart.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import eslintConfigPrettier from 'eslint-config-prettier';
import pluginConfig from './grafana-plugin/eslint.config.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const scoped = (configs, dir) =>
  configs.map((config) => ({
    ...config,
    ...(config.languageOptions?.parserOptions?.project
      ? {
          languageOptions: {
            ...config.languageOptions,
            parserOptions: { ...config.languageOptions.parserOptions, tsconfigRootDir: join(here, dir) },
          },
        }
      : {}),
    ...(config.files
      ? { files: config.files.map((f) => `${dir}/${f.replace(/^\.\//, '')}`) }
      : { files: [`${dir}/**/*.{ts,tsx,js,mjs,cjs}`] }),
    ...(config.ignores && !config.files ? { ignores: config.ignores.map((f) => `${dir}/${f}`) } : {}),
  }));

export default defineConfig([
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/coverage/',
      'test-output/',
      '.demo/',
      'grafana-plugin/.config/',
      '**/*.d.ts',
    ],
  },
  {
    files: ['**/*.{ts,mts,cts}'],
    ignores: ['grafana-plugin/**'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tests and tools read JSON and child-process output; production code keeps `any` out of its API (tsc, strict).
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  ...scoped(pluginConfig, 'grafana-plugin'),
  eslintConfigPrettier,
]);
