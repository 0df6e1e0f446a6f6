// Real lru-cache releases older than the one the package is developed against: 11.3 publishes
// its operations without the cache instance; 6 publishes nothing and has no key index to read.
import { diag } from '@opentelemetry/api';
import { LRUCache as LRUCache113 } from 'lru-cache-v11-3';
import { nameCache } from '../../src/lru/cache-names';
import { LruCacheInstrumentation, UNATTRIBUTED_CACHE } from '../../src/lru/instrumentation';
import { fillsStatus, lruCacheSupport } from '../../src/lru/versions';
import { pointValue, testMeterProvider } from './metrics-reader';
import { captureDiagWarnings } from '../../../test/support/diag-warnings.js';

describe('LruCacheInstrumentation with older lru-cache releases', () => {
  let warnings: string[];
  let instrumentation: LruCacheInstrumentation;
  let telemetry: ReturnType<typeof testMeterProvider>;

  beforeEach(() => {
    warnings = captureDiagWarnings();
    telemetry = testMeterProvider();
    instrumentation = new LruCacheInstrumentation();
    instrumentation.setMeterProvider(telemetry.provider);
  });
  afterEach(async () => {
    instrumentation.disable();
    diag.disable();
    await telemetry.provider.shutdown();
  });

  it('counts the operations of lru-cache 11.3 as unattributed, and says so once', async () => {
    const a = new LRUCache113<string, number>({ max: 2 });
    const b = new LRUCache113<string, number>({ max: 2 });
    a.set('x', 1);
    a.get('x');
    b.get('y');
    b.get('z');
    const metrics = await telemetry.collect();
    const ops = metrics.get('presize.lru.operations');
    const unattributed = (op: string, result: string) => ({
      'presize.lru.name': UNATTRIBUTED_CACHE,
      'presize.lru.operation': op,
      'presize.lru.result': result,
    });
    expect(pointValue(ops, unattributed('set', 'add'))).toBe(1);
    expect(pointValue(ops, unattributed('get', 'hit'))).toBe(1);
    expect(pointValue(ops, unattributed('get', 'miss'))).toBe(2);
    expect(metrics.get('presize.lru.entries')).toBeUndefined();
    expect(warnings.filter((w) => w.includes('without the cache instance'))).toHaveLength(1);
  });

  it('reports a named lru-cache 6 as unobservable once, after probing it without side effects', async () => {
    // lru-cache 6 has no type declarations; it exports its class.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const LRUCache6 = require('lru-cache-6') as new (options: { max: number }) => {
      set(key: string, value: number): void;
      readonly length: number;
    };
    const legacy = nameCache(new LRUCache6({ max: 2 }), 'legacy');
    legacy.set('a', 1);
    const metrics = await telemetry.collect();
    expect(pointValue(metrics.get('presize.lru.unobservable'), { 'presize.lru.version': 'before 11.3' })).toBe(1);
    expect(metrics.get('presize.lru.operations')).toBeUndefined();
    expect(legacy.length).toBe(1);
    await telemetry.collect();
    expect(warnings.filter((w) => w.includes('"legacy"'))).toHaveLength(1);
  });
});

describe('which lru-cache releases are patched, and which fill a status of their own', () => {
  it.each([
    ['6.0.0', 'unobservable', false],
    ['7.0.0', 'patched', false],
    ['7.17.2', 'patched', false],
    ['7.18.0', 'patched', true],
    ['8.0.5', 'patched', true],
    ['11.2.7', 'patched', true],
    ['11.3.0', 'unattributed', true],
  ] as const)('lru-cache %s: %s, fills its status: %s', (version, support, fills) => {
    expect([lruCacheSupport(version), fillsStatus(version)]).toEqual([support, fills]);
  });
});
