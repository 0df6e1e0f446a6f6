// The plugin's project in the repository's one jest run (root jest.config.cjs): jsdom for the
// editors, swc for TypeScript and for the ES-module-only packages @grafana/ui pulls in (d3-color's
// .mjs among them). The other workspaces are declared dependencies, read from their built dist/.
const path = require('path');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', tsx: true },
      target: 'es2022',
      transform: { react: { runtime: 'classic' } },
    },
  },
];

module.exports = {
  displayName: 'grafana-plugin',
  rootDir: __dirname,
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  testEnvironment: 'jest-environment-jsdom',
  setupFilesAfterEnv: ['<rootDir>/jest-setup.js'],
  moduleNameMapper: {
    '\\.(css|scss|sass)$': 'identity-obj-proxy',
    'react-inlinesvg': path.join(__dirname, '.config/jest/mocks/react-inlinesvg.tsx'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.(t|j)sx?$': swc,
    '^.+\\.mjs$': swc,
  },
  transformIgnorePatterns: [nodeModulesToTransform(grafanaESModules)],
};
