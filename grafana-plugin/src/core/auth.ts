/** Credentials as the data proxy routes send them (plugin.json), computed before they are stored as secrets. */

/** base64 of `user:password` in UTF-8, the value of a Basic Authorization header (RFC 7617). */
export function basicAuthCredentials(user: string, password: string): string {
  if (user.includes(':')) {
    throw new Error('a basic auth user name cannot contain ":"');
  }
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  bytes.forEach((b) => (binary += String.fromCharCode(b)));
  return btoa(binary);
}

/** A problem with the configured URL, in words, or undefined when it is usable. */
export function urlProblem(url: string | undefined): string | undefined {
  if (!url || !url.trim()) {
    return 'Enter the URL of the Prometheus-compatible API.';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; write it like http://prometheus:9090`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `The URL must start with http:// or https://, not ${parsed.protocol}//`;
  }
  if (parsed.username || parsed.password) {
    return 'Put credentials in the authentication settings below, not in the URL: the URL is stored in plain text.';
  }
  if (/\/api\/v1\/?$/.test(parsed.pathname)) {
    return 'Leave /api/v1 out of the URL; the datasource adds it.';
  }
  return undefined;
}

const AUTH_METHODS = ['none', 'basic', 'bearer'] as const;

/**
 * The data proxy route of a configured auth method. A datasource provisioned from an environment
 * variable that is not set has an empty one, which means none; anything else unknown is refused by name.
 */
export function authRoute(method: string | undefined): (typeof AUTH_METHODS)[number] {
  if (method === undefined || method.trim() === '') {
    return 'none';
  }
  const known = AUTH_METHODS.find((m) => m === method.trim());
  if (known === undefined) {
    throw new Error(`authMethod must be one of ${AUTH_METHODS.join(', ')}, got "${method}"`);
  }
  return known;
}
