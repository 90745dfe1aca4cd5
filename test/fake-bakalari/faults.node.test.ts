/**
 * Fault injection: every kind, `times`, path matching, rule order, and the control
 * API staying out of reach of faults.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { get, PASSWORD, passwordLogin, postLogin, useFakeSchool, USERNAME } from "./support";

const { fake, control } = useFakeSchool({ seed: 9 });
let token: string;

beforeEach(async () => {
  token = (await passwordLogin(fake.url)).access_token;
});

const TIMETABLE = "/api/3/timetable/permanent";
const timetable = () => get(fake.url, TIMETABLE, token);

describe("fault kinds", () => {
  it("status: answers that status with a small JSON body (503 by default)", async () => {
    await control.setFaults([{ path: "^/api/3/timetable/", kind: "status", status: 500 }]);
    const answer = await timetable();
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toHaveProperty("Message");

    await control.setFaults([{ path: "^/api/3/timetable/", kind: "status" }]);
    expect((await timetable()).status).toBe(503);
  });

  it("rateLimit: answers 429 with Retry-After", async () => {
    await control.setFaults([{ path: "^/api/3/", kind: "rateLimit", retryAfter: 7 }]);
    const answer = await timetable();
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("7");
  });

  it("reset: destroys the connection without an answer", async () => {
    await control.setFaults([{ path: "^/api/3/timetable/", kind: "reset", times: 1 }]);
    const error = await fetch(`${fake.url}${TIMETABLE}`, { headers: { authorization: `Bearer ${token}` } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((await timetable()).status).toBe(200);
  });

  it("malformed: answers 200 with a body that is not JSON", async () => {
    await control.setFaults([{ path: "^/api/3/timetable/", kind: "malformed" }]);
    const answer = await timetable();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/json/);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(answer.text)).toThrow();
  });

  it("truncated: answers 200 with valid JSON whose lists are cut short, and a matching Content-Length", async () => {
    const whole = JSON.parse((await timetable()).text);
    await control.setFaults([{ path: "^/api/3/timetable/", kind: "truncated" }]);
    const answer = await timetable();
    expect(answer.status).toBe(200);
    expect(Number(answer.headers.get("content-length"))).toBe(Buffer.byteLength(answer.text));
    const cut = JSON.parse(answer.text);
    expect(cut.Classes).toEqual(whole.Classes.slice(0, Math.ceil(whole.Classes.length / 2)).map((c: object) => c));
    expect(cut.Groups.length).toBe(Math.ceil(whole.Groups.length / 2));
    expect(cut.Days.length).toBe(Math.ceil(whole.Days.length / 2));
    expect(cut.Days[0].Atoms.length).toBe(Math.ceil(whole.Days[0].Atoms.length / 2));
  });

  it("wrongShape: answers 200 with JSON whose required fields are missing or of the wrong type", async () => {
    await control.setFaults([{ path: "^/api/", kind: "wrongShape" }]);
    const answer = await timetable();
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text);
    for (const list of ["Days", "Classes", "Groups", "Subjects", "Teachers"]) expect(Array.isArray(body[list]), list).toBe(false);

    const login = await postLogin(fake.url, { client_id: "ANDR", grant_type: "password", username: USERNAME, password: PASSWORD });
    expect(login.status).toBe(200);
    const pair = JSON.parse(login.text);
    expect(pair).not.toHaveProperty("access_token");
    expect(pair).toHaveProperty("refresh_token");
  });

  it("latency: holds the answer back, and lets the next rules apply", async () => {
    await control.setFaults([
      { path: "^/api/3/user$", kind: "latency", ms: 60_000 },
      { path: "^/api/3/timetable/", kind: "latency", ms: 1 },
      { path: "^/api/3/timetable/", kind: "status", status: 502 },
    ]);
    const aborter = new AbortController();
    let settled = false;
    const slow = fetch(`${fake.url}/api/3/user`, { headers: { authorization: `Bearer ${token}` }, signal: aborter.signal }).finally(() => {
      settled = true;
    });
    // A later request completes while the delayed one is still waiting.
    expect((await timetable()).status).toBe(502);
    const rules = (await control.faults()).rules;
    expect(rules.map((r) => r.hits)).toEqual([1, 1, 1]);
    expect(settled).toBe(false);
    aborter.abort();
    await expect(slow).rejects.toThrow();
  });
});

describe("rule scope", () => {
  it("hits only `times` requests, then lets them through", async () => {
    await control.setFaults([{ path: "^/api/3/timetable/", kind: "status", status: 503, times: 2 }]);
    expect((await timetable()).status).toBe(503);
    expect((await timetable()).status).toBe(503);
    expect((await timetable()).status).toBe(200);
    expect((await control.faults()).rules).toEqual([
      { path: "^/api/3/timetable/", kind: "status", status: 503, times: 2, hits: 2, remaining: 0 },
    ]);
  });

  it("matches the path as a regular expression, and the first decisive rule wins", async () => {
    await control.setFaults([
      { path: "^/api/3/lesson/\\d+/absence$", kind: "status", status: 500 },
      { path: "^/api/3/(timetable|classbook)", kind: "rateLimit", retryAfter: 3, times: 1 },
      { path: "^/api/3/timetable/", kind: "status", status: 504 },
    ]);
    expect((await get(fake.url, "/api/3/lesson/202601050200001/absence", token)).status).toBe(500);
    expect((await timetable()).status).toBe(429);
    expect((await timetable()).status).toBe(504);
    expect((await get(fake.url, "/api/3/user", token)).status).toBe(200);
  });

  it("applies to the login endpoint too", async () => {
    await control.setFaults([{ path: "^/api/login$", kind: "status", status: 503, times: 1 }]);
    await expect(passwordLogin(fake.url)).rejects.toThrow(/503/);
    expect((await passwordLogin(fake.url)).access_token).toBeTruthy();
  });

  it("never touches the control API", async () => {
    await control.setFaults([
      { path: ".*", kind: "status", status: 500 },
      { path: "", kind: "reset" },
    ]);
    expect((await control.stats()).requests.total).toBeGreaterThan(0);
    expect((await control.expected()).classes.length).toBe(8);
    expect((await get(fake.url, "/_fake/faults")).status).toBe(200);
    expect((await timetable()).status).toBe(500);
  });

  it("counts faulted requests in the stats", async () => {
    await control.setFaults([{ path: "^/api/3/timetable/", kind: "status", status: 503 }]);
    await timetable();
    await timetable();
    const stats = await control.stats();
    expect(stats.requests.byEndpoint["GET /api/3/timetable/permanent"]).toBe(2);
  });

  it("clears every rule with DELETE, and forgets them on reset", async () => {
    await control.setFaults([{ path: "^/api/", kind: "status", status: 500 }]);
    expect((await timetable()).status).toBe(500);
    expect(await control.clearFaults()).toEqual({ ok: true, cleared: 1 });
    expect((await timetable()).status).toBe(200);

    await control.setFaults([{ path: "^/api/", kind: "status", status: 500 }]);
    await control.reset();
    expect((await control.faults()).rules).toEqual([]);
  });

  it("refuses rules that do not fit, and keeps the old ones", async () => {
    await control.setFaults([{ path: "^/api/3/user$", kind: "status", status: 500 }]);
    for (const rules of [
      [{ path: "([", kind: "status" }],
      [{ path: "^/api/", kind: "explode" }],
      [{ path: "^/api/", kind: "latency" }],
      [{ path: "^/api/", kind: "status", status: 42 }],
      [{ path: "^/api/", kind: "reset", times: 0 }],
      [{ kind: "reset" }],
    ]) {
      const response = await fetch(`${fake.url}/_fake/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ rules }),
      });
      expect(response.status, JSON.stringify(rules)).toBe(400);
    }
    expect((await control.faults()).rules).toHaveLength(1);
    expect((await get(fake.url, "/api/3/user", token)).status).toBe(500);
  });
});
