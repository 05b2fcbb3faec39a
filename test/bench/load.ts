import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /** The path of each request, chosen anew every time. */
  nextPath: () => string;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/** autocannon, GET only, a fresh path per request. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    headers: options.headers,
    requests: [
      { method: 'GET', setupRequest: (request) => ({ ...request, path: options.nextPath() }) },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Warm-up then measure, so both sides are compared after their JIT and caches settle. */
export async function warmThenLoad(
  options: LoadOptions,
  warmUpSeconds: number,
): Promise<LoadResult> {
  await runLoad({ ...options, durationSeconds: warmUpSeconds });
  return runLoad(options);
}
