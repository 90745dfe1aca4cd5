/**
 * Careless input and what operators rely on, through the Worker's own fetch: a preview
 * that fails leaves /health as it was; a body repeating a key is refused; answers about
 * runs are never cached; an OPERATOR_TOKEN no Bearer header can carry fails the
 * configuration; and failures are logged with a safe cause, never a driver's message.
 */
import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import { makeSchool, rosterOf } from "../support/roster";
import { fetchWorker, OPERATOR_TOKEN, testBindings } from "../support/worker";
import { auth, fake, getJson, postSync, workerTest, type Json } from "../reliability/harness";

const it = workerTest
  .extend("health", ({ env }) => async () => {
    const res = await getJson(env, "/health", {});
    return { status: res.status, body: res.body };
  })
  .extend(
    "runCount",
    ({ db }) =>
      async () =>
        Number(((await db.db.execute(sql`select count(*)::int as n from sync_runs`)).rows[0] as { n: number }).n),
  );

describe("hardening of the HTTP API", { timeout: 60_000 }, () => {
  it.beforeAll(async () => {
    await fake.reset({ size: "small", seed: 18 });
  });
  it.afterEach(async ({ logs }) => {
    logs.length = 0;
    await fake.clearFaults();
  });

  describe("/health and dry runs", () => {
    // Not JSON: the run fails at once (BAKALARI_PAYLOAD), with no retries to wait for.
    const brokenTimetable = [{ path: "^/api/3/timetable/", kind: "malformed" as const }];
    it("a failed dry run leaves /health as it was: never before the first run, ok after one", async ({ env, db, health }) => {
      await fake.setFaults(brokenTimetable);
      const failedFirst = await postSync(env, { dryRun: true });
      expect(failedFirst.status).toBe(502);
      expect(await health()).toMatchObject({ status: 200, body: { status: "never", lastRunStatus: null } });
      await fake.clearFaults();

      expect((await postSync(env)).status).toBe(200);
      const ok = await health();
      expect(ok).toMatchObject({ status: 200, body: { status: "ok", lastRunStatus: "ok" } });

      await fake.setFaults(brokenTimetable);
      const failed = await postSync(env, { dryRun: true });
      expect(failed.body).toMatchObject({ code: "BAKALARI_PAYLOAD", status: "fail" });
      // Recorded as what it was: a failed run, marked dry.
      const [row] = (await db.db.execute(sql`select status, dry_run from sync_runs where id = ${failed.body.runId}`)).rows;
      expect(row).toEqual({ status: "fail", dry_run: true });
      expect(await health()).toEqual(ok);

      // A real run that fails still turns it failing.
      const real = await postSync(env);
      expect(real.status).toBe(502);
      expect(await health()).toMatchObject({ status: 503, body: { status: "failing", lastRunStatus: "fail" } });
      await fake.clearFaults();
      expect((await postSync(env)).status).toBe(200);
    });
  });

  describe("POST bodies", () => {
    it.for([
      ['{"dryRun":true,"dryRun":false}', "dryRun"],
      ['{"force":false,"dryRun":true,"force":true}', "force"],
      ['{"dryRun":true,"\\u0064ryRun":false}', "dryRun"],
    ])("refuses %s with 400, naming the repeated key, and starts no run", async ([body, key], { env, runCount }) => {
      const before = await runCount();
      const res = await fetchWorker(
        "/api/sync/bakalari",
        { method: "POST", headers: { ...auth, "content-type": "application/json" }, body },
        env,
      );
      expect(res.status).toBe(400);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toMatchObject({ success: false, code: "BAD_REQUEST", message: expect.stringContaining(`"${key}"`) });
      expect(await runCount()).toBe(before);
    });
  });

  describe("Cache-Control", () => {
    it("every answer about runs says no-store: the POST's, the list's, one run's, and the errors'", async ({ env }) => {
      const dry = await postSync(env, { dryRun: true });
      expect(dry.status).toBe(200);
      const answers = [
        dry.headers,
        (await getJson(env, "/api/sync/runs")).headers,
        (await getJson(env, `/api/sync/runs/${dry.body.runId}`)).headers,
        (await getJson(env, `/api/sync/runs/${crypto.randomUUID()}`)).headers, // 404
        (await getJson(env, "/api/sync/runs/not-a-uuid")).headers, // 400
        (await getJson(env, "/api/sync/runs", {})).headers, // 401
        (await fetchWorker("/api/sync/runs", { method: "DELETE", headers: auth }, env)).headers, // 405
      ];
      for (const headers of answers) expect(headers.get("cache-control")).toBe("no-store");
    });
  });

  describe("OPERATOR_TOKEN", () => {
    const good = testBindings();
    it.for([
      ["a space", `${OPERATOR_TOKEN} x`],
      ["a trailing newline", `${OPERATOR_TOKEN}\n`],
      ["a quote", `${OPERATOR_TOKEN}"`],
      ["a letter outside ASCII", `${OPERATOR_TOKEN}ž`],
      ["= before the end", `${OPERATOR_TOKEN}=x`],
      ["513 characters", "a".repeat(513)],
    ])("holding %s fails the configuration, naming the variable, never its value", async ([_what, token], { env }) => {
      let error: unknown;
      try {
        parseConfig({ ...good, OPERATOR_TOKEN: token });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain("OPERATOR_TOKEN");
      expect((error as ConfigError).message).not.toContain(OPERATOR_TOKEN);

      const res = await fetchWorker("/api/sync/runs", { headers: auth }, { ...env, OPERATOR_TOKEN: token });
      expect(res.status).toBe(500);
      const body = (await res.json()) as Json;
      expect(body).toMatchObject({ code: "CONFIG_INVALID", message: expect.stringContaining("OPERATOR_TOKEN") });
      expect(JSON.stringify(body)).not.toContain(OPERATOR_TOKEN);
    });

    it("accepts every character a Bearer token may hold", () => {
      const token = "Az09-._~+/".repeat(4) + "==";
      expect(parseConfig({ ...good, OPERATOR_TOKEN: token }).operatorToken).toBe(token);
    });
  });

  describe("causes in the logs", () => {
    it("request_failed carries the SQLSTATE, never the driver's message", async ({ databaseUrl, logs }) => {
      const missing = databaseUrl.replace(/\/[^/]+$/, "/no_such_database");
      const res = await fetchWorker("/api/sync/runs", { headers: auth }, testBindings({ DATABASE_URL: missing }));
      expect(res.status).toBe(500);
      const failed = logs.find((e) => e.message === "request_failed")!;
      expect(failed).toEqual({
        level: "ERROR",
        message: "request_failed",
        requestId: res.headers.get("x-request-id"),
        error: expect.any(String),
        cause: "SQLSTATE 3D000",
      });
      expect(JSON.stringify(failed)).not.toContain("no_such_database");
    });

    it("sync_fail carries the SQLSTATE of a refused write, never the value in it", async ({ engine: e }) => {
      const school = makeSchool();
      const secretName = `Ženíšek\u0000${crypto.randomUUID()}`;
      school.students[0]!.name = secretName; // Postgres cannot keep a NUL in text
      const outcome = await e.run(rosterOf(school), { force: true });
      expect(outcome.status).toBe("fail");
      const failed = e.logs.find((l) => l.message === "sync_fail")!;
      expect(failed.cause).toMatch(/^SQLSTATE [0-9A-Z]{5}$/);
      expect(JSON.stringify(e.logs)).not.toContain(secretName.slice(9));
    });

    it("sync_fail carries the error's name for anything else", async ({ engine: e }) => {
      const outcome = await e.run(async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'Ženíšek')");
      });
      expect(outcome.status).toBe("fail");
      const failed = e.logs.find((l) => l.message === "sync_fail")!;
      expect(failed.cause).toBe("TypeError");
      expect(JSON.stringify(failed)).not.toContain("Ženíšek");
    });
  });

  describe("the Bearer scheme", () => {
    // RFC 7235: the scheme is case-insensitive (the parser is src/http/auth.ts's BEARER).
    it("accepts bearer and BEARER as well as Bearer", async ({ env }) => {
      for (const scheme of ["bearer", "BEARER", "bEaReR"]) {
        const res = await fetchWorker("/api/sync/runs", { headers: { authorization: `${scheme} ${OPERATOR_TOKEN}` } }, env);
        expect(res.status, scheme).toBe(200);
      }
    });
  });
});
