/**
 * The one HTTP client for Bakaláři: a timeout per attempt, retries with exponential
 * backoff and full jitter for 408, 429, 5xx and network failures (honouring
 * Retry-After), at most `concurrency` requests in flight (a Worker may hold six
 * connections at once), and a count of every request sent, retries included.
 * The body is read inside the attempt, so a permit covers the whole connection, and with a
 * byte limit, as it streams in: an answer past it fails with BAKALARI_PAYLOAD before any of
 * it is parsed (a broken or hostile server could otherwise send gigabytes into a Worker's
 * 128 MB). A path that URL parsing would change (a "." or ".." segment, which an id placed
 * in it could make) is never requested.
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

/**
 * The most bytes one answer may hold: the timetable, the class book and the public
 * timetable's pages (a large school's timetable is about 1 MB, the class book of 14 days a
 * few MB)...
 */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/** ...and one lesson's absence list (one group's roster, a few kilobytes). */
export const MAX_ABSENCE_LIST_BYTES = 4 * 1024 * 1024;

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
  /** The answer's byte limit; MAX_ANSWER_BYTES when absent. */
  maxBytes?: number;
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

type Attempt = { ok: true; response: HttpResponse } | { ok: false; failure: string } | { ok: false; fatal: BakalariError };

export function createHttpClient(
  baseUrl: string,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
  overrides: Partial<HttpOptions> = {},
): HttpClient {
  const options = { ...DEFAULT_HTTP_OPTIONS, ...overrides };
  const permits = createSemaphore(Math.max(1, options.concurrency));
  let count = 0;

  async function attempt(request: HttpRequest, label: string): Promise<Attempt> {
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
      const limit = request.maxBytes ?? MAX_ANSWER_BYTES;
      const body = await readLimited(res, limit);
      if (body === null) {
        return {
          ok: false,
          fatal: new BakalariError(
            "BAKALARI_PAYLOAD",
            `${label} answered more than ${describeBytes(limit)}; not read further`,
            routeOf(request.path),
          ),
        };
      }
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
    const label = `${request.method} ${routeOf(request.path)}`;
    if (pathWouldChange(request.path)) {
      throw new BakalariError(
        "BAKALARI_PAYLOAD",
        `${JSON.stringify(label)} was not requested: an id in its path would send it elsewhere (a "." or ".." segment, or a backslash)`,
        routeOf(request.path),
      );
    }
    for (let retry = 0; ; retry += 1) {
      const result = await attempt(request, label);
      // An answer too large is the server's answer, not a passing failure: never retried.
      if ("fatal" in result) throw result.fatal;
      const retriable = !result.ok || isRetriableStatus(result.response.status);
      if (result.ok && !retriable) return result.response;
      const last = result.ok ? `HTTP ${result.response.status}` : result.failure;
      if (retry >= options.maxRetries) {
        throw new BakalariError(
          "BAKALARI_UNAVAILABLE",
          `${label} failed after ${retry + 1} attempts (last: ${last})`,
          routeOf(request.path),
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

/** "/api/3/classbook?from=…" -> "/api/3/classbook": messages and errors never carry the query. */
function routeOf(path: string): string {
  return path.replace(/[?#].*$/s, "");
}

/**
 * Whether URL parsing would change the path: a "." or ".." segment (also as %2E, which the
 * URL standard treats alike, so percent-encoding the dots does not help) is resolved away,
 * a backslash becomes "/", and tabs and newlines are dropped. Ids are placed in paths with
 * encodeURIComponent, which leaves "." alone: an id "..", then, would leave its path.
 */
export function pathWouldChange(path: string): boolean {
  const route = routeOf(path);
  return /[\\\t\n\r]/.test(route) || route.split("/").some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

/** The body as text, read as it streams in; null once it is past `limit` bytes (the rest is not read). */
async function readLimited(res: Response, limit: number): Promise<string | null> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    void res.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  // As Response.text() decodes: UTF-8, a BOM dropped, bad bytes replaced.
  return new TextDecoder().decode(bytes);
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
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
