import { authRoute, basicAuthCredentials, urlProblem } from './auth';

describe('credentials and URL', () => {
  it('encodes user:password as UTF-8 base64 (RFC 7617)', () => {
    expect(basicAuthCredentials('Aladdin', 'open sesame')).toBe('QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
    expect(Buffer.from(basicAuthCredentials('grafana', 'pässwörd'), 'base64').toString('utf8')).toBe(
      'grafana:pässwörd'
    );
    expect(() => basicAuthCredentials('a:b', 'x')).toThrow(/cannot contain ":"/);
  });

  it('accepts Prometheus, Mimir and VictoriaMetrics URLs', () => {
    for (const url of ['http://prometheus:9090', 'https://mimir.example/prometheus', 'http://127.0.0.1:8428']) {
      expect(urlProblem(url)).toBeUndefined();
    }
  });

  it('says what is wrong with a URL', () => {
    expect(urlProblem('')).toMatch(/Enter the URL/);
    expect(urlProblem('prometheus:9090')).toMatch(/must start with http/);
    expect(urlProblem('not a url')).toMatch(/is not a URL/);
    expect(urlProblem('http://u:p@prometheus:9090')).toMatch(/credentials/);
    expect(urlProblem('http://prometheus:9090/api/v1')).toMatch(/Leave \/api\/v1 out/);
  });
});

describe('authRoute', () => {
  it('takes an empty or missing method as none, as a provisioned variable that is not set gives it', () => {
    expect([authRoute(undefined), authRoute(''), authRoute('  '), authRoute('bearer'), authRoute('basic')]).toEqual([
      'none',
      'none',
      'none',
      'bearer',
      'basic',
    ]);
  });

  it('refuses a method it does not know, naming it', () => {
    expect(() => authRoute('Bearer')).toThrow('authMethod must be one of none, basic, bearer, got "Bearer"');
  });
});
