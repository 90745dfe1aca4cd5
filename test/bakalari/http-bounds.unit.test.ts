/**
 * The HTTP client's bounds (src/bakalari/http.ts): an answer is read with a byte limit as it
 * streams in and fails with BAKALARI_PAYLOAD past it, never retried and never parsed; a path
 * that URL parsing would change is never requested.
 */
import { describe, expect, it } from "vitest";
import { createHttpClient, MAX_ABSENCE_LIST_BYTES, MAX_ANSWER_BYTES, pathWouldChange } from "../../src/bakalari/http";
import { bakalariError } from "../support/errors";

/** A body that never ends, counting what the client pulled; `cancelled` once the client lets go. */
function endless(chunkBytes = 64 * 1024) {
  const state = { pulled: 0, cancelled: false };
  const chunk = new TextEncoder().encode(" ".repeat(chunkBytes));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state };
}

function recording(respond: () => Response) {
  const urls: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    urls.push(String(input));
    return respond();
  }) as typeof fetch;
  return { fetchFn, urls };
}

describe("answers are read with a byte limit", () => {
  it("fails an endless answer with BAKALARI_PAYLOAD once past the limit, cancelling it, with no retry", async () => {
    const stream = endless();
    const { fetchFn, urls } = recording(() => new Response(stream.body, { status: 200 }));
    const http = createHttpClient("http://school.test", fetchFn, { sleep: async () => undefined });
    const error = await bakalariError(http.send({ method: "GET", path: "/api/3/timetable/permanent" }));
    expect(error).toMatchObject({
      code: "BAKALARI_PAYLOAD",
      endpoint: "/api/3/timetable/permanent",
      message: expect.stringContaining("more than 32 MB"),
    });
    expect(urls).toHaveLength(1);
    expect(stream.state.cancelled).toBe(true);
    // It stopped right past the limit (the stream may have one chunk queued ahead).
    expect(stream.state.pulled).toBeLessThanOrEqual(MAX_ANSWER_BYTES + 3 * 64 * 1024);
  });

  it("fails an answer whose Content-Length is past the limit without reading it", async () => {
    const stream = endless();
    const { fetchFn } = recording(
      () => new Response(stream.body, { status: 200, headers: { "content-length": String(MAX_ABSENCE_LIST_BYTES + 1) } }),
    );
    const http = createHttpClient("http://school.test", fetchFn);
    const error = await bakalariError(http.send({ method: "GET", path: "/api/3/lesson/L1/absence", maxBytes: MAX_ABSENCE_LIST_BYTES }));
    expect(error).toMatchObject({ code: "BAKALARI_PAYLOAD", message: expect.stringContaining("more than 4 MB") });
    expect(stream.state.pulled).toBeLessThanOrEqual(2 * 64 * 1024);
  });

  it("reads an answer of exactly the limit, decoded as Response.text() would (BOM dropped, UTF-8)", async () => {
    const text = `\ufeff{"Name":"Ženíšek"}`;
    const size = new TextEncoder().encode(text).byteLength;
    const { fetchFn } = recording(() => new Response(text, { status: 200 }));
    const res = await createHttpClient("http://school.test", fetchFn).send({ method: "GET", path: "/x", maxBytes: size });
    expect(res.body).toBe('{"Name":"Ženíšek"}');
    const over = await bakalariError(
      createHttpClient("http://school.test", fetchFn).send({ method: "GET", path: "/x", maxBytes: size - 1 }),
    );
    expect(over.code).toBe("BAKALARI_PAYLOAD");
  });
});

describe("paths an id could send elsewhere", () => {
  it.each([
    ["/api/3/lesson/../absence", true],
    ["/api/3/lesson/./absence", true],
    ["/api/3/lesson/%2E%2E/absence", true],
    ["/api/3/lesson/.%2e/absence", true],
    ["/api/3/lesson/%2e/absence", true],
    ["/Timetable/Public/Permanent/Teacher/..", true],
    ["/api/3/lesson/a\\b/absence", true],
    ["/api/3/lesson/a%2F..%2Fb/absence", false], // "/" encoded: one segment
    ["/api/3/lesson/...%20/absence", false],
    ["/api/3/lesson/..a/absence", false],
    ["/api/3/classbook?from=../x&to=..", false], // the query is not the path
  ])("%s: %s", (path, changes) => {
    expect(pathWouldChange(path)).toBe(changes);
    // The rule holds where it matters: URL parsing changes exactly those paths.
    const route = path.replace(/\?.*$/, "");
    expect(new URL(`http://school.test${route}`).pathname !== route).toBe(changes);
  });

  it("refuses to request one, with BAKALARI_PAYLOAD, and sends nothing", async () => {
    const { fetchFn, urls } = recording(() => new Response("{}"));
    const http = createHttpClient("http://school.test", fetchFn);
    const error = await bakalariError(http.send({ method: "GET", path: `/api/3/lesson/${encodeURIComponent("..")}/absence` }));
    expect(error.code).toBe("BAKALARI_PAYLOAD");
    expect(urls).toEqual([]);
    expect(http.requests()).toBe(0);
  });
});
