/** The part of the Prometheus HTTP API the tests read, as Prometheus and VictoriaMetrics both serve it. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface QueryApi {
  /** Instant query; throws with the server's own error text when the query is rejected. */
  query(expr: string, time?: Date): Promise<PromSample[]>;
  /** Polls an instant query until `accept` returns true for its result or the timeout passes. */
  waitFor(expr: string, accept: (result: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
}

interface QueryResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; value: [number, string] }> | [number, string];
  };
}

/**
 * Queries against the API at `url`; `server` names it in errors ("Prometheus", "VictoriaMetrics").
 * `beforePoll` runs before each query of a waitFor, e.g. to make freshly written samples searchable.
 */
export function queryApi(url: string, server: string, beforePoll?: () => Promise<void>): QueryApi {
  const query = async (expr: string, time?: Date): Promise<PromSample[]> => {
    const params = new URLSearchParams({ query: expr });
    if (time) params.set('time', String(time.getTime() / 1000));
    const response = await fetch(`${url}/api/v1/query?${params}`);
    const body = (await response.json()) as QueryResponse;
    if (body.status !== 'success' || !body.data) {
      throw new Error(
        `${server} rejected the query (${body.errorType ?? response.status}): ${body.error ?? ''}\n  query: ${expr}`,
      );
    }
    const { resultType, result } = body.data;
    if (resultType === 'scalar') {
      const [, value] = result as [number, string];
      return [{ metric: {}, value: Number(value) }];
    }
    return (result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((sample) => ({
      metric: sample.metric,
      value: Number(sample.value[1]),
    }));
  };

  const waitFor = async (
    expr: string,
    accept: (result: PromSample[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<PromSample[]> => {
    const deadline = Date.now() + timeoutMs;
    let last: PromSample[] = [];
    while (Date.now() < deadline) {
      await beforePoll?.();
      last = await query(expr);
      if (accept(last)) return last;
      await new Promise((done) => setTimeout(done, 250));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting on ${expr}; last result: ${JSON.stringify(last)}`);
  };

  return { query, waitFor };
}
