// One jest run for the whole repository: each workspace and the cross-package tests in test/
// are projects of their own, so `npm test` at the root is the only test command.
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

module.exports = {
  projects: [
    typescriptProject('definitions', ['<rootDir>/definitions/test']),
    typescriptProject('map', ['<rootDir>/map/test']),
    typescriptProject('instrumentation', ['<rootDir>/instrumentation/test']),
    typescriptProject('gpu', ['<rootDir>/gpu/test']),
    typescriptProject('auto-instrumentation', ['<rootDir>/auto-instrumentation/test']),
    typescriptProject('integration', ['<rootDir>/test']),
    require('./grafana-plugin/jest.project.cjs'),
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
