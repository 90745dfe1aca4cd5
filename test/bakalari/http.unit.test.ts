import { describe, expect, it } from "vitest";
import { createHttpClient, retryAfterMs, type HttpOptions } from "../../src/bakalari/http";
import { bakalariError } from "../support/errors";

/** A scripted fetch: each call takes the next step; records what it was asked. */
function scriptedFetch(steps: (() => Response | Promise<Response>)[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)]!;
    return step();
  }) as typeof fetch;
  return { fetchFn, calls };
}

const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify({ code }), { status: code, headers });
const networkError = () => {
  throw new TypeError("Network connection lost.");
};

/** Options that record the backoff instead of sleeping. */
function fastOptions(overrides: Partial<HttpOptions> = {}) {
  const slept: number[] = [];
  const options: Partial<HttpOptions> = {
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    maxRetryAfterMs: 5_000,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...overrides,
  };
  return { options, slept };
}

describe("http client retries", () => {
  it("retries 5xx with exponential backoff and full jitter, and counts every request", async () => {
    const { fetchFn, calls } = scriptedFetch([status(500), status(502), status(200)]);
    const { options, slept } = fastOptions();
    const http = createHttpClient("http://school.test", fetchFn, options);
    const res = await http.send({ method: "GET", path: "/api/3/user" });
    expect(res.status).toBe(200);
    expect(calls.map((c) => c.url)).toEqual(Array(3).fill("http://school.test/api/3/user"));
    // random() = 0.5 of 100 * 2^0, then of 100 * 2^1.
    expect(slept).toEqual([50, 100]);
    expect(http.requests()).toBe(3);
  });

  it("caps the backoff at maxDelayMs", async () => {
    const { fetchFn } = scriptedFetch([status(503), status(503), status(503), status(200)]);
    const { options, slept } = fastOptions({ baseDelayMs: 400, maxDelayMs: 1_000, random: () => 0.999 });
    await createHttpClient("http://school.test", fetchFn, options).send({ method: "GET", path: "/x" });
    expect(slept.map(Math.round)).toEqual([400, 799, 999]);
  });

  it("gives up after maxRetries with BAKALARI_UNAVAILABLE naming the endpoint, not the query", async () => {
    const { fetchFn } = scriptedFetch([status(503)]);
    const { options } = fastOptions();
    const http = createHttpClient("http://school.test", fetchFn, { ...options, maxRetries: 3 });
    const e = await bakalariError(http.send({ method: "GET", path: "/api/3/classbook?from=2026-01-01T00:00:00.000" }));
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    expect(e.message).toBe("GET /api/3/classbook failed after 4 attempts (last: HTTP 503)");
    expect(e.endpoint).toBe("/api/3/classbook");
    expect(http.requests()).toBe(4);
  });

  it("honours Retry-After in seconds on a 429", async () => {
    const { fetchFn } = scriptedFetch([status(429, { "Retry-After": "2" }), status(200)]);
    const { options, slept } = fastOptions();
    const res = await createHttpClient("http://school.test", fetchFn, options).send({ method: "GET", path: "/x" });
    expect(res.status).toBe(200);
    expect(slept).toEqual([2_000]);
  });

  it("honours Retry-After as an HTTP date, capped at maxRetryAfterMs", async () => {
    const far = new Date(Date.now() + 3_600_000).toUTCString();
    const { fetchFn } = scriptedFetch([
      status(503, { "Retry-After": far }),
      status(429, { "Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT" }),
      status(200),
    ]);
    const { options, slept } = fastOptions({ maxRetryAfterMs: 5_000 });
    await createHttpClient("http://school.test", fetchFn, options).send({ method: "GET", path: "/x" });
    expect(slept).toEqual([5_000, 0]);
  });

  it("does not retry a 4xx other than 408 and 429", async () => {
    const { fetchFn } = scriptedFetch([status(400), status(200)]);
    const { options } = fastOptions();
    const http = createHttpClient("http://school.test", fetchFn, options);
    expect((await http.send({ method: "POST", path: "/api/login", body: "a=b" })).status).toBe(400);
    expect(http.requests()).toBe(1);
  });

  it("retries network errors", async () => {
    const { fetchFn } = scriptedFetch([networkError, status(200)]);
    const { options } = fastOptions();
    const http = createHttpClient("http://school.test", fetchFn, options);
    expect((await http.send({ method: "GET", path: "/x" })).status).toBe(200);
    expect(http.requests()).toBe(2);
  });

  it("aborts an attempt that outlives the timeout and says so", async () => {
    let aborted = 0;
    const hang = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => {
          aborted += 1;
          reject(new DOMException("aborted", "AbortError"));
        });
      })) as typeof fetch;
    const { options } = fastOptions({ timeoutMs: 5, maxRetries: 1 });
    const http = createHttpClient("http://school.test", hang, options);
    const e = await bakalariError(http.send({ method: "GET", path: "/api/3/timetable/permanent" }));
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    expect(e.message).toContain("timed out after 5 ms");
    expect(aborted).toBe(2);
  });
});

describe("http client concurrency", () => {
  it("keeps at most six requests in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const slow = (async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      return new Response("{}");
    }) as typeof fetch;
    const http = createHttpClient("http://school.test", slow, { concurrency: 6 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => http.send({ method: "GET", path: `/x/${i}` })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(most).toBe(6);
    expect(http.requests()).toBe(20);
  });

  it("holds the permit until the body has been read", async () => {
    let bodiesOpen = 0;
    let most = 0;
    const streaming = (async () => {
      bodiesOpen += 1;
      most = Math.max(most, bodiesOpen);
      const body = new ReadableStream({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          controller.enqueue(new TextEncoder().encode("{}"));
          controller.close();
          bodiesOpen -= 1;
        },
      });
      return new Response(body);
    }) as typeof fetch;
    const http = createHttpClient("http://school.test", streaming, { concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => http.send({ method: "GET", path: "/x" })));
    expect(most).toBe(2);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-03-02T10:00:00Z");
  it("reads seconds and HTTP dates, and ignores what it cannot read", () => {
    expect(retryAfterMs("1", now)).toBe(1_000);
    expect(retryAfterMs(" 120 ", now)).toBe(120_000);
    expect(retryAfterMs("Mon, 02 Mar 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Mon, 02 Mar 2026 09:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs("-1", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
