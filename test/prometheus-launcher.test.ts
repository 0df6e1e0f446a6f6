import { startPrometheus, type PrometheusHandle } from '../tools/prometheus.js';
import { startExpositionTarget, type ExpositionTarget } from './support/exposition-target.js';

describe('tools/prometheus: a real Prometheus on 127.0.0.1', () => {
  let target: ExpositionTarget;
  let prometheus: PrometheusHandle;

  beforeAll(async () => {
    target = await startExpositionTarget('# TYPE launcher_probe gauge\nlauncher_probe{side="left"} 7\n');
    prometheus = await startPrometheus({ scrape: [{ job: 'probe', target: target.target }] });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await target?.close();
  }, 60_000);

  it('scrapes its targets and answers instant queries with their values', async () => {
    const [sample] = await prometheus.waitFor('launcher_probe', (result) => result.length === 1, 20_000);
    expect(sample).toEqual({
      metric: {
        __name__: 'launcher_probe',
        job: 'probe',
        instance: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        side: 'left',
      },
      value: 7,
    });
    expect(await prometheus.query('scalar(vector(42))')).toEqual([{ metric: {}, value: 42 }]);
  }, 30_000);

  it('turns a rejected query into an error that quotes Prometheus and the query', async () => {
    await expect(prometheus.query('sum(')).rejects.toThrow(
      /Prometheus rejected the query \(bad_data\).*\n  query: sum\(/s,
    );
  });
});
