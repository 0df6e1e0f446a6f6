const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A value may not hold what would end the header: CR, LF or NUL.
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** Why a header cannot be sent, naming the header and never its value (it is often a secret). */
export function headerProblem(name: string, value: string): string | undefined {
  if (!HEADER_NAME.test(name)) return `${JSON.stringify(name)} is not a valid header name`;
  if (!HEADER_VALUE.test(value)) return `the value of header ${name} holds a line break or NUL`;
  return undefined;
}

export type HeaderListResult = { readonly headers: Record<string, string> } | { readonly problem: string };

/**
 * Headers written as OTEL_EXPORTER_OTLP_HEADERS writes them: `name=value` pairs separated by
 * commas, values percent-encoded (`authorization=Bearer%20abc`). A problem names the entry by its
 * position and header name only: the values are credentials.
 */
export function parseHeaderList(text: string): HeaderListResult {
  const headers: Record<string, string> = {};
  const entries = text.split(',');
  for (const [index, entry] of entries.entries()) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    if (equals < 0) return { problem: `entry ${index + 1} has no "="` };
    const name = entry.slice(0, equals).trim();
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      return { problem: `the value of header ${JSON.stringify(name)} is not valid percent-encoding` };
    }
    const problem = headerProblem(name, value);
    if (problem !== undefined) return { problem };
    headers[name.toLowerCase()] = value;
  }
  return { headers };
}
