import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PresizedMapInstrumentation } from '../../src/instrumentation/instrumentation.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../../src/instrumentation/version.js';

describe('PresizedMapInstrumentation configuration', () => {
  test.each([
    [{ stallThresholdMs: -1 }, 'stallThresholdMs must be a finite number of milliseconds >= 0, got -1'],
    [{ stallThresholdMs: Number.NaN }, 'stallThresholdMs must be a finite number of milliseconds >= 0, got NaN'],
    [{ evacuationEvents: { sampleRate: 2 } }, 'evacuationEvents.sampleRate must be a number between 0 and 1, got 2'],
    [
      { metricsExport: 'producer' as 'instrument' },
      `metricsExport must be 'instrument' or 'metric-producer', got "producer"`,
    ],
  ])('%j is refused with a RangeError naming the value', (config, message) => {
    expect(() => new PresizedMapInstrumentation(config)).toThrow(new RangeError(message));
  });

  test('the scope is the package, at the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    const instrumentation = new PresizedMapInstrumentation({ enabled: false });
    expect([instrumentation.instrumentationName, instrumentation.instrumentationVersion]).toEqual([
      pkg.name,
      pkg.version,
    ]);
    expect([PACKAGE_NAME, PACKAGE_VERSION]).toEqual([pkg.name, pkg.version]);
  });
});
