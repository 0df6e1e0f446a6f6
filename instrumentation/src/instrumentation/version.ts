// Kept in step with package.json by test/instrumentation/version.test.ts; read at build time
// neither by ESM nor CommonJS output without a JSON import, hence the constant.
export const PACKAGE_NAME = '@presize/instrumentation';
export const PACKAGE_VERSION = '0.1.0';
