import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { deviceId, devicesDue, runLoad } from '../scripts/demo/load.js';
import { SERVICE_ENTRY, startService, type RunningService } from '../scripts/demo/service.js';

const CACHES = ['native', 'presized-5000', 'planned', 'sharded'];
const LOGS_PER_DEVICE = 10;

async function post(
  service: RunningService,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  const response = await fetch(`${service.url}/events`, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as { accepted?: number; error?: string } };
}

/** One request on a connection of its own: the round trip is what is tested, not keep-alive reuse. */
function exchange(
  service: RunningService,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${service.url}${path}`,
      { method, agent: false, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function logsOf(service: RunningService, id: string) {
  const response = await fetch(`${service.url}/devices/${encodeURIComponent(id)}/logs`);
  return { status: response.status, body: (await response.json()) as { logs?: string[]; error?: string } };
}

describe.each(CACHES)('device-logs service with the %s cache', (cache) => {
  let service: RunningService;

  beforeAll(async () => {
    service = await startService({ cache, port: 0 });
  }, 30_000);
  afterAll(async () => {
    await service?.stop();
  }, 60_000);

  it('keeps the last 10 lines of every device, oldest first, like a model of arrays', async () => {
    let run = 0;
    const model = new Map<string, string[]>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ device: fc.integer({ min: 0, max: 7 }), line: fc.string({ maxLength: 40 }) }), {
          minLength: 1,
          maxLength: 120,
        }),
        fc.integer({ min: 1, max: 50 }),
        async (events, batchSize) => {
          const prefix = `run${run++}-`;
          const wire = events.map(({ device, line }) => ({ deviceId: `${prefix}${device}`, log: line }));
          for (let start = 0; start < wire.length; start += batchSize) {
            const batch = wire.slice(start, start + batchSize);
            const reply = await post(service, JSON.stringify(batch.length === 1 ? batch[0] : batch));
            expect(reply).toEqual({ status: 200, body: { accepted: batch.length } });
          }
          for (const { deviceId: id, log } of wire)
            model.set(id, [...(model.get(id) ?? []), log].slice(-LOGS_PER_DEVICE));
          for (const [id, expected] of model) {
            if (!id.startsWith(prefix)) continue;
            expect(await logsOf(service, id)).toEqual({ status: 200, body: { deviceId: id, logs: expected } });
          }
        },
      ),
      { numRuns: 15 },
    );
    const stats = await service.stats();
    expect(stats.cache).toBe(cache);
    expect(stats.size).toBe(model.size);
  }, 60_000);

  it('reports map statistics that match its cache', async () => {
    const stats = await service.stats();
    if (cache === 'native') {
      expect(stats.map).toBeNull();
    } else {
      expect(stats.map).toMatchObject({ size: stats.size });
      if (cache === 'presized-5000') expect(stats.map).toMatchObject({ hint: 5_000, B: 10 });
      // The planner sizes for the 120,000 devices of the fleet with 25 % headroom.
      if (cache === 'planned') expect(stats.map).toMatchObject({ hint: 150_000, B: 15, growths: 0 });
    }
    expect(stats.process.gc.count).toBeGreaterThanOrEqual(0);
    expect(stats.process.allocatedBytes).toBeGreaterThan(0);
  });
});

describe('device-logs service: bad input', () => {
  let service: RunningService;

  beforeAll(async () => {
    service = await startService({ cache: 'native', port: 0 });
  }, 30_000);
  afterAll(async () => {
    await service?.stop();
  }, 60_000);

  it.each([
    ['{"deviceId": "a", "log": ', /^body is not valid JSON: /],
    [
      '"just a string"',
      /^body must be an object \{"deviceId": string, "log": string\}, got a string of 13 characters$/,
    ],
    ['{"log": "x"}', /^deviceId must be a non-empty string of at most 128 characters, got undefined/],
    ['{"deviceId": "", "log": "x"}', /^deviceId must be a non-empty string .* got a string of 0 characters$/],
    ['{"deviceId": 42, "log": "x"}', /^deviceId must be .* got number 42$/],
    [JSON.stringify({ deviceId: 'x'.repeat(129), log: 'x' }), /got a string of 129 characters$/],
    ['{"deviceId": "a/b", "log": "x"}', /^deviceId must not contain "\/" or control characters, got "a\/b"$/],
    ['{"deviceId": "a", "log": null}', /^log must be a string of at most 8192 characters, got null$/],
    [JSON.stringify({ deviceId: 'a', log: 'x'.repeat(8193) }), /^log must be .* got a string of 8193 characters$/],
    ['[]', /^a batch must hold from 1 to 1000 events, got 0$/],
    [JSON.stringify(Array.from({ length: 1001 }, () => ({ deviceId: 'a', log: 'x' }))), /got 1001$/],
    [
      '[{"deviceId": "ok", "log": "x"}, {"deviceId": "ok", "log": 7}]',
      /^events\[1\]\.log must be a string .* got number 7$/,
    ],
    [
      '[{"deviceId": "ok", "log": "x"}, [1]]',
      /^events\[1\] must be an object \{"deviceId": string, "log": string\}, got an array$/,
    ],
  ])('refuses %s with a 400 that names what was wrong', async (body, message) => {
    const reply = await post(service, body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(message);
  });

  it.each([
    ['..', /^deviceId must not be "\." or "\.\.", which a URL path cannot carry, got "\.\."$/],
    ['.', /^deviceId must not be "\." or "\.\.", which a URL path cannot carry, got "\."$/],
    ['dev_\ud800', /^deviceId must be well-formed Unicode \(no lone surrogate\), got "dev_\\ud800"$/],
    ['\udfff', /^deviceId must be well-formed Unicode \(no lone surrogate\), got "\\udfff"$/],
  ])('refuses the device id %j, which it could never serve back, with a 400 that says why', async (id, message) => {
    const reply = await post(service, JSON.stringify({ deviceId: id, log: 'x' }));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(message);
  });

  it('serves back every device id it accepts', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
          fc.constantFrom('.', '..', '...', '%2e%2e', '\\', '?a#b', '\ud83d', 'a\ude00'),
        ),
        async (id) => {
          const log = `line ${run++}`;
          const reply = await exchange(service, 'POST', '/events', JSON.stringify({ deviceId: id, log }));
          if (reply.status !== 200) {
            expect(reply.status).toBe(400);
            return;
          }
          const read = await exchange(service, 'GET', `/devices/${encodeURIComponent(id)}/logs`);
          expect(read.status).toBe(200);
          expect((read.body as { logs: string[] }).logs.at(-1)).toBe(log);
        },
      ),
      { numRuns: 60 },
    );
  }, 30_000);

  it('applies nothing of a batch that holds one bad event', async () => {
    const reply = await post(
      service,
      JSON.stringify([{ deviceId: 'whole-or-nothing', log: 'kept?' }, { deviceId: 'x' }]),
    );
    expect(reply.status).toBe(400);
    expect(await logsOf(service, 'whole-or-nothing')).toEqual({
      status: 404,
      body: { error: 'no logs for device "whole-or-nothing"' },
    });
  });

  it('answers wrong content types, methods, sizes, paths and encodings with the right status', async () => {
    expect(await post(service, '{}', { 'content-type': 'text/plain' })).toEqual({
      status: 415,
      body: { error: 'content-type must be application/json, got "text/plain"' },
    });
    const put = await fetch(`${service.url}/events`, { method: 'PUT', body: '{}' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'POST']);
    const huge = await post(service, JSON.stringify({ deviceId: 'a', log: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatch(/exceeds the limit of 1048576 bytes/);
    expect((await fetch(`${service.url}/devices/%E0%A4%A/logs`)).status).toBe(400);
    const unknown = await fetch(`${service.url}/nowhere`);
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'no route for GET /nowhere' }]);
    // The service is still serving after all of that.
    expect(await post(service, '{"deviceId": "after", "log": "fine"}')).toEqual({ status: 200, body: { accepted: 1 } });
  });

  it('refuses an unknown cache, a bad port, shard count or fleet at startup, naming the value', () => {
    const badCache = spawnSync(process.execPath, [SERVICE_ENTRY, '--cache', 'lru'], { encoding: 'utf8' });
    expect(badCache.status).toBe(2);
    expect(badCache.stderr).toContain('--cache must be one of native, presized-5000, planned, sharded, got "lru"');
    const badPort = spawnSync(process.execPath, [SERVICE_ENTRY, '--port', '70000'], { encoding: 'utf8' });
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('--port must be an integer from 0 to 65535, got "70000"');
    const badShards = spawnSync(process.execPath, [SERVICE_ENTRY, '--cache', 'sharded', '--shards', '3'], {
      encoding: 'utf8',
    });
    expect(badShards.status).toBe(2);
    expect(badShards.stderr).toContain('shards must be a power of two from 1 to 65536, got 3');
    const badFleet = spawnSync(process.execPath, [SERVICE_ENTRY, '--cache', 'planned', '--fleet', 'many'], {
      encoding: 'utf8',
    });
    expect(badFleet.status).toBe(2);
    expect(badFleet.stderr).toContain('--fleet must be a whole number above 0, got "many"');
  });
});

describe('load generator', () => {
  it('names every device differently, in the dev_8a3f9c2e form', () => {
    const ids = new Set(Array.from({ length: 200_000 }, (_, index) => deviceId(index)));
    expect(ids.size).toBe(200_000);
    for (const id of [...ids].slice(0, 100)) expect(id).toMatch(/^dev_[0-9a-f]{8}$/);
  });

  it('lets devices arrive steadily over the arrival share of the run, then holds', () => {
    const plan = { durationMs: 10_000, devices: 120_000, arrivalShare: 0.5 };
    expect(devicesDue(0, plan)).toBe(0);
    expect(devicesDue(2_500, plan)).toBe(60_000);
    expect(devicesDue(5_000, plan)).toBe(120_000);
    expect(devicesDue(9_000, plan)).toBe(120_000);
  });

  it('brings every device to the service and measures every write', async () => {
    const service = await startService({ cache: 'native', port: 0 });
    try {
      const load = await runLoad({ url: service.url, durationMs: 2_000, devices: 3_000, arrivalShare: 0.5 });
      const stats = await service.stats();
      expect(load.errors).toBe(0);
      expect(load.devicesArrived).toBe(3_000);
      expect(stats.size).toBe(3_000);
      expect(load.writeLatenciesMs.length).toBe(load.writes);
      expect(load.events).toBe(load.writes * 25);
      expect(load.reads).toBeGreaterThan(0);
    } finally {
      await service.stop();
    }
  }, 30_000);
});
