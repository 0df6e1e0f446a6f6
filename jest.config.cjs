// One jest run for the whole repository: each workspace and the cross-package tests in test/
// are projects of their own, so `npm test` at the root is the only test command.
const { grafanaESModules, nodeModulesToTransform } = require('./grafana-plugin/.config/jest/utils');

const typescriptProject = (name, roots) => ({
  displayName: name,
  testEnvironment: 'node',
  roots,
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
});

/**
 * The cross-package tests. @grafana/data (Grafana's value formatting, for the dashboard tests)
 * requires ES-module-only packages; the plugin's scaffold lists them.
 */
const integrationProject = () => {
  const project = typescriptProject('integration', ['<rootDir>/test']);
  return {
    ...project,
    transform: {
      ...project.transform,
      '^.+\\.m?js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
    },
    transformIgnorePatterns: [nodeModulesToTransform(grafanaESModules)],
  };
};

module.exports = {
  // Many suites spend their time waiting on child processes (Prometheus, VictoriaMetrics, services
  // under test): two workers overlap those waits even on a two-core machine, where jest's default
  // (cores - 1) would run every suite one after another.
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
  projects: [
    typescriptProject('definitions', ['<rootDir>/definitions/test']),
    typescriptProject('map', ['<rootDir>/map/test']),
    typescriptProject('instrumentation', ['<rootDir>/instrumentation/test']),
    typescriptProject('gpu', ['<rootDir>/gpu/test']),
    typescriptProject('auto-instrumentation', ['<rootDir>/auto-instrumentation/test']),
    integrationProject(),
    require('./grafana-plugin/jest.project.cjs'),
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
