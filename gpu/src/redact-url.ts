/** What stands in for a URL's query string wherever the URL is shown. */
export const REDACTED = 'redacted';

/**
 * A URL as it may be shown in a log line, a label or an attribute: scheme, host, port and path,
 * never user, password, query string or fragment, which is where tokens travel. Text that is not
 * a URL gets the same treatment by pattern, since it may still hold credentials.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/?#]*@/, `//${REDACTED}@`).replace(/[?#].*$/s, `?${REDACTED}`);
  }
  const query = parsed.search !== '' || parsed.hash !== '' ? `?${REDACTED}` : '';
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return `${parsed.href}${query}`;
}

/** True when `url` carries a user name or a password. */
export function hasCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}
