/**
 * The one HTTP client for Bakaláři: a timeout per attempt, retries with exponential
 * backoff and full jitter for 408, 429, 5xx and network failures (honouring
 * Retry-After), at most `concurrency` requests in flight (a Worker may hold six
 * connections at once), and a count of every request sent, retries included.
 * The body is read inside the attempt, so a permit covers the whole connection.
 */
import { BakalariError } from "./roster";

export type HttpOptions = {
  /** Per attempt, body included. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Backoff before retry n (0-based) is random in [0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this; longer waits are cut to it. */
  maxRetryAfterMs: number;
  concurrency: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
};

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  timeoutMs: 20_000,
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  concurrency: 6,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export type HttpRequest = {
  method: "GET" | "POST";
  /** Path and query, e.g. "/api/3/classbook?from=…"; messages show the path without the query. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

export type HttpResponse = { status: number; headers: Headers; body: string };

export type HttpClient = {
  /**
   * Sends with retries. Answers any final status a caller must judge (2xx, 4xx);
   * throws BakalariError("BAKALARI_UNAVAILABLE") when retries run out.
   */
  send(request: HttpRequest): Promise<HttpResponse>;
  /** HTTP requests sent so far, retries included. */
  requests(): number;
  /** How many requests may be in flight at once. */
  readonly concurrency: number;
};

type Attempt = { ok: true; response: HttpResponse } | { ok: false; failure: string };

export function createHttpClient(
  baseUrl: string,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
  overrides: Partial<HttpOptions> = {},
): HttpClient {
  const options = { ...DEFAULT_HTTP_OPTIONS, ...overrides };
  const permits = createSemaphore(Math.max(1, options.concurrency));
  let count = 0;

  async function attempt(request: HttpRequest): Promise<Attempt> {
    await permits.acquire();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    try {
      count += 1;
      const res = await fetchFn(baseUrl + request.path, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        // A redirect is answered, not followed: the bearer token stays with the configured host.
        redirect: "manual",
      });
      const body = await res.text();
      return { ok: true, response: { status: res.status, headers: res.headers, body } };
    } catch {
      // The error text of a failed fetch is not shown: it can be long and says nothing more.
      return { ok: false, failure: timedOut ? `timed out after ${options.timeoutMs} ms` : "network error" };
    } finally {
      clearTimeout(timer);
      permits.release();
    }
  }

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const label = `${request.method} ${request.path.replace(/\?.*$/, "")}`;
    for (let retry = 0; ; retry += 1) {
      const result = await attempt(request);
      const retriable = !result.ok || isRetriableStatus(result.response.status);
      if (!retriable) return result.response;
      const last = result.ok ? `HTTP ${result.response.status}` : result.failure;
      if (retry >= options.maxRetries) {
        throw new BakalariError(
          "BAKALARI_UNAVAILABLE",
          `${label} failed after ${retry + 1} attempts (last: ${last})`,
          request.path.replace(/\?.*$/, ""),
        );
      }
      const retryAfter = result.ok ? retryAfterMs(result.response.headers.get("retry-after"), Date.now()) : null;
      const delay =
        retryAfter !== null
          ? Math.min(retryAfter, options.maxRetryAfterMs)
          : options.random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
      await options.sleep(delay);
    }
  }

  return { send, requests: () => count, concurrency: Math.max(1, options.concurrency) };
}

export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Date.parse is lenient ("-1" is a year); an HTTP date names its month in letters.
  if (!/[A-Za-z]{3}/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function createSemaphore(size: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    acquire(): Promise<void> {
      if (active < size) {
        active += 1;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      // The permit passes straight to the next waiter, so `active` stays the same.
      if (next) next();
      else active -= 1;
    },
  };
}
