/**
 * A fast-check pass over the request surface, through the Worker's own fetch: methods,
 * paths and ids, query strings, headers (Authorization, X-Request-Id, Content-Type) and
 * bodies of every shape. Expected: never a 500, always the JSON error shape with the
 * request id, and no write from a rejected request.
 *
 * A run holds the lease throughout, so even a request that passes every check ends in
 * 409 instead of a sync: no request may write a roster row, a ref or a run row, and none
 * may reach Bakaláři.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect } from "vitest";
import { z } from "zod";
import { repeatedKey } from "../../src/http/json-keys";
import { MAX_BODY_BYTES, syncBodySchema } from "../../src/http/sync-routes";
import { rowVersions } from "../support/inspect";
import { fetchWorker, OPERATOR_TOKEN } from "../support/worker";
import { fake, postSync, workerTest, type Json } from "./harness";
import { hostileString, nestedText, oddString } from "./hostile";

export const RUNS = { surface: 1_000, bodies: 400, queries: 400 };

const SANE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const ALLOWED = new Set([200, 400, 401, 404, 405, 409, 413, 429]);
const RUN_ID = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

/**
 * Header values: printable ASCII. The fetch API refuses control characters, and workerd
 * sends anything above ASCII as UTF-8 bytes (with a warning per request), which is no
 * different a test of the Worker.
 */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

/** Percent-encoded bytes that are not valid UTF-8, or that decode to something odd. */
const rawEscapes = fc.constantFrom("%00", "%ff", "%c0%af", "%ed%a0%80", "%e2%80%ae", "%2e%2e", "%2f", "%25", "%", "%zz", "%u0041");

const segment = fc.oneof(
  hostileString.map((s) => encodeURIComponent(s.slice(0, 300).replace(/\p{Cs}/gu, "x"))), // encodeURIComponent refuses half a surrogate pair
  rawEscapes,
  fc.constantFrom(
    "..",
    ".",
    "",
    "runs",
    "bakalari",
    RUN_ID,
    RUN_ID.toUpperCase(),
    ` ${RUN_ID}`,
    `${RUN_ID}%20`,
    `${RUN_ID}%00`,
    "'%3B%20drop%20table%20sync_runs%3B--",
  ),
);

const path = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom("/api/sync/bakalari", "/api/sync/bakalari", "/api/sync/runs") },
  fc.constantFrom(
    "/",
    "/health",
    "/api/sync/bakalari",
    "/api/sync/runs",
    `/api/sync/runs/${RUN_ID}`,
    "/api/sync/runs/",
    "/api/sync",
    "/api",
    "/dashboard",
    "//health",
    "/HEALTH",
  ),
  fc
    .tuple(
      fc.constantFrom("/api/sync/runs/", "/api/sync/", "/", "/health/", "/api/sync/bakalari/"),
      fc.array(segment, { minLength: 1, maxLength: 3 }),
    )
    .map(([base, parts]) => base + parts.join("/")),
);

const queryValue = fc.oneof(
  hostileString.map((s) => s.slice(0, 2_000)),
  fc.constantFrom("20", "0", "-1", "101", "1e3", "1.5", "NaN", "Infinity", "0x10", " 5", RUN_ID, "null", "[]"),
);
const query = fc.array(fc.tuple(fc.constantFrom("limit", "before", "token", "access_token", "x", "limit", "__proto__"), queryValue), {
  maxLength: 4,
});

const authorization = fc.oneof(
  fc.constant(undefined),
  { weight: 2, arbitrary: fc.constant(`Bearer ${OPERATOR_TOKEN}`) },
  fc.constantFrom(
    `Bearer ${OPERATOR_TOKEN} `,
    `Bearer  ${OPERATOR_TOKEN}`,
    `bearer ${OPERATOR_TOKEN}`,
    `Bearer ${OPERATOR_TOKEN}x`,
    `Bearer ${OPERATOR_TOKEN.slice(1)}`,
    `Basic ${btoa(`a:${OPERATOR_TOKEN}`)}`,
    "Bearer",
    "Bearer ",
  ),
  headerText(80).map((s) => `Bearer ${s}`),
  headerText(80),
  fc.integer({ min: 513, max: 20_000 }).map((n) => `Bearer ${"A".repeat(n)}`),
);

const requestId = fc.oneof(
  fc.constant(undefined),
  fc.stringMatching(SANE_ID),
  headerText(100),
  fc.integer({ min: 65, max: 5_000 }).map((n) => "r".repeat(n)),
);

const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/vnd.api+json",
    "application/jsonx",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json\t",
  ),
  headerText(40),
);

const jsonBody = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "{}",
    '{"dryRun":true}',
    '{"force":true,"dryRun":false}',
    '{"dryRun":"true"}',
    '{"force":1}',
    '{"dryRun":null}',
    '{"dryRun":true,"dryRun":false}',
    '{"__proto__":{"dryRun":true}}',
    '{"constructor":{}}',
    "[]",
    "null",
    "true",
    '"x"',
    '{"dryRun":true',
    '{"d\\ud800":1}',
    '{"dryRun":"\\u0000"}',
    "\ufeff{}",
  ),
  fc.json({ maxDepth: 3 }).map((j) => j.slice(0, 3_000)),
  fc
    .dictionary(
      fc.oneof(fc.constantFrom("dryRun", "force"), oddString),
      fc.oneof(
        fc.boolean(),
        hostileString.map((s) => s.slice(0, 500)),
        fc.integer(),
      ),
      { maxKeys: 3 },
    )
    .map((o) => JSON.stringify(o)),
  fc.integer({ min: 1, max: 50_000 }).map(nestedText),
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => JSON.stringify({ dryRun: true, pad: "x".repeat(n) })),
);

/** A body as bytes: JSON-ish text, or bytes that are not UTF-8 at all. */
const bodyBytes = fc.oneof(
  { weight: 4, arbitrary: jsonBody.map((text) => new TextEncoder().encode(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Uint8Array.of(0x7b, 0xff, 0x7d),
      Uint8Array.of(0x7b, 0, 0x7d),
      Uint8Array.of(0xed, 0xa0, 0x80),
      Uint8Array.of(0xc0, 0xaf),
    ),
  },
);

// Few enough clients that some fail authentication ten times and meet the rate limit.
const clientIp = fc.integer({ min: 1, max: 6 }).map((n) => `198.51.100.${n}`);

type Sent = { status: number; headers: Headers; text: string; incomingId: string | undefined };

function expectWellFormed(method: string, r: Sent): void {
  expect(r.status, r.text.slice(0, 300)).not.toBe(500);
  expect(ALLOWED.has(r.status), `status ${r.status}: ${r.text.slice(0, 300)}`).toBe(true);
  const id = r.headers.get("x-request-id");
  expect(id).toMatch(SANE_ID);
  if (r.incomingId !== undefined && SANE_ID.test(r.incomingId)) expect(id).toBe(r.incomingId);
  if (r.status >= 400 && method !== "HEAD") {
    expect(r.text).not.toMatch(/\bat \S+\.(ts|js):\d+|stack/i);
    const body = JSON.parse(r.text) as Json;
    expect(body).toEqual({ ...body, success: false, code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String), requestId: id });
  }
}

const heldRunId = crypto.randomUUID();

const it = workerTest
  /** No run row came or went: the first sync's record, and the run holding the lease. */
  .extend("expectNothingWritten", ({ db }) => async () => {
    const runs = (await db.db.execute(sql`select id::text as id, status from sync_runs order by started_at`)).rows as Json[];
    expect(runs).toEqual([
      { id: expect.any(String), status: "ok" },
      { id: heldRunId, status: "running" },
    ]);
  })
  .extend("send", ({ env }) => async (method: string, url: string, headers: Record<string, string | undefined>, body?: Uint8Array) => {
    const clean = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
    // Absolute, so that a path starting with "//" is a path, not another host.
    const res = await fetchWorker(
      `http://worker.test${url}`,
      { method, headers: clean, body: method === "GET" || method === "HEAD" ? undefined : body },
      env,
    );
    return { status: res.status, headers: res.headers, text: await res.text(), incomingId: headers["x-request-id"] } satisfies Sent;
  });

describe("fuzzing the request surface", { timeout: 120_000 }, () => {
  let versions: string;

  it.beforeAll(async ({ env, db }) => {
    await fake.reset({ size: "small", seed: 15 });
    // A synced school, so that "nothing written" has rows to watch, then a run that holds the lease.
    expect((await postSync(env)).status).toBe(200);
    await db.db.execute(sql`insert into sync_runs (id, trigger, status, started_at, lease_expires_at)
      values (${heldRunId}, 'manual', 'running', now(), now() + interval '1 day')`);
    versions = await rowVersions(db);
    await fake.reset({ size: "small", seed: 15 }); // zero the fake's request counters
  });

  it(`answers ${RUNS.surface} random requests (method, path, query, headers, body) without a 500, in the error shape`, async ({
    send,
    expectNothingWritten,
  }) => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
        path,
        query,
        fc.record({ authorization, "x-request-id": requestId, "content-type": contentType, "cf-connecting-ip": clientIp }),
        fc.option(bodyBytes, { nil: undefined }),
        async (method, p, q, headers, body) => {
          const url = `${p}${q.length ? `?${new URLSearchParams(q)}` : ""}`;
          // The operator's own client never fails: its valid token must never meet the rate limit.
          if (headers.authorization === `Bearer ${OPERATOR_TOKEN}`) headers["cf-connecting-ip"] = "192.0.2.200";
          const r = await send(method, url, headers, body);
          if (headers.authorization === `Bearer ${OPERATOR_TOKEN}`) expect(r.status).not.toBe(429);
          expectWellFormed(method, r);
          seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        },
      ),
      {
        numRuns: RUNS.surface,
        // A request that passes every check (so it meets the held lease) is rare at random: one for sure.
        examples: [
          [
            "POST",
            "/api/sync/bakalari",
            [],
            {
              authorization: `Bearer ${OPERATOR_TOKEN}`,
              "x-request-id": undefined,
              "content-type": undefined,
              "cf-connecting-ip": "192.0.2.1",
            },
            undefined,
          ],
        ],
      },
    );
    // The requests reached every layer: routing, auth, the rate limit, validation and the lease.
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 401, 404, 405, 409, 429]));
    await expectNothingWritten();
  });

  it(`answers ${RUNS.bodies} POST bodies with a valid token exactly as the body rules say: 413, 400, or 409 (the lease is held)`, async ({
    send,
    expectNothingWritten,
  }) => {
    let client = 0;
    await fc.assert(
      fc.asyncProperty(bodyBytes, contentType, async (body, type) => {
        const r = await send(
          "POST",
          "/api/sync/bakalari",
          {
            authorization: `Bearer ${OPERATOR_TOKEN}`,
            "content-type": type,
            "cf-connecting-ip": `203.0.113.${(client = (client % 200) + 1)}`,
          },
          body,
        );
        expectWellFormed("POST", r);
        expect(r.status).toBe(expectedStatus(body, type));
        if (r.status === 409) expect(JSON.parse(r.text)).toMatchObject({ code: "SYNC_RUNNING", runningRunId: heldRunId });
      }),
      {
        numRuns: RUNS.bodies,
        // An empty body means {}, whatever the Content-Type says (it was once "Malformed JSON").
        examples: [
          [new Uint8Array(0), "application/json"],
          [new TextEncoder().encode("  "), "application/json; charset=utf-8"],
          [new Uint8Array(0), undefined],
        ],
      },
    );
    await expectNothingWritten();
  });

  it(`answers ${RUNS.queries} runs queries and run ids with a valid token: 200, 400 or 404, never a 500`, async ({ send }) => {
    const uuid = z.uuid();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          query.map((q) => ({ kind: "list" as const, q })),
          segment.map((id) => ({ kind: "one" as const, id })),
        ),
        async (input) => {
          const url = input.kind === "list" ? `/api/sync/runs?${new URLSearchParams(input.q)}` : `/api/sync/runs/${input.id}`;
          const r = await send("GET", url, { authorization: `Bearer ${OPERATOR_TOKEN}`, "cf-connecting-ip": "192.0.2.77" });
          expectWellFormed("GET", r);
          if (input.kind === "list") {
            expect([200, 400, 404]).toContain(r.status);
            if (r.status === 200) expect(JSON.parse(r.text).runs.length).toBeLessThanOrEqual(100);
          } else {
            // No run has these ids: a UUID is unknown (404), anything else is refused (400), or a
            // segment such as ".." moved the path elsewhere (404).
            expect([400, 404]).toContain(r.status);
            if (uuid.safeParse(safeDecode(input.id)).success) expect(r.status).toBe(404);
          }
        },
      ),
      { numRuns: RUNS.queries },
    );
  });

  it("wrote nothing: no roster row, no ref, no run row, and no request reached Bakaláři", async ({ db, expectNothingWritten }) => {
    expect(await rowVersions(db)).toBe(versions);
    await expectNothingWritten();
    expect((await fake.stats()).requests.total).toBe(0);
  });
});

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The POST body rules, restated: at most 1 KB, JSON by its Content-Type, an object of two optional booleans. */
function expectedStatus(body: Uint8Array, type: string | undefined): number {
  if (body.byteLength > MAX_BODY_BYTES) return 413;
  // Headers drop leading and trailing whitespace; an empty Content-Type is still one that is not JSON.
  const header = type?.replace(/^[ \t]+|[ \t]+$/g, "");
  const isJson = header !== undefined && /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(header);
  if (header !== undefined && !isJson) return 400;
  const text = new TextDecoder().decode(body);
  if (text.trim() === "") return 409;
  if (!isJson) return 400;
  try {
    // A repeated key is refused, whatever the last of it says (test/http/json-keys.test.ts).
    if (repeatedKey(text) !== null) return 400;
    return syncBodySchema.safeParse(JSON.parse(text)).success ? 409 : 400;
  } catch {
    return 400;
  }
}
