// Kept in step with package.json by test/package-entries.test.ts; a constant because neither the ESM
// nor the CommonJS output can read package.json without a JSON import.
export const PACKAGE_VERSION = '0.1.0';
