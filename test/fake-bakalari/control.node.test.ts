/**
 * The control API and its client: reset semantics, request statistics, the oracle's
 * shape, refusals; the server's start options; and the CLI.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { FakeControlError, fakeControl } from "../../dev/fake-bakalari/control";
import { startFakeBakalari } from "../../dev/fake-bakalari/server";
import { classbookPath, firstLessonPerGroup, get, getJson, passwordLogin, QUIET_WINDOW, useFakeSchool } from "./support";

const { fake, control } = useFakeSchool({ seed: 2, classes: 3, studentsPerClass: 6 }, { resetEach: false });

describe("reset", () => {
  it("takes what the body does not give from the start options; a size drops the start's counts", async () => {
    expect((await control.reset()).params).toEqual({ seed: 2, classes: 3, studentsPerClass: 6, teachers: 20, subjects: 18 });
    expect((await control.reset({ seed: 9 })).params).toMatchObject({ seed: 9, classes: 3, studentsPerClass: 6 });
    expect((await control.reset({ size: "small" })).params).toEqual({
      seed: 2,
      classes: 8,
      studentsPerClass: 25,
      teachers: 20,
      subjects: 18,
    });
    const custom = await control.reset({ size: "small", classes: 4, teachers: 6 });
    expect(custom.params).toMatchObject({ classes: 4, teachers: 6 });
    expect(custom.counts).toMatchObject({ classes: 4, teachers: 6 });
    expect((await control.expected()).classes).toHaveLength(4);
    await control.reset();
  });

  it("starts counters, the holidays switch and the token lifetime afresh", async () => {
    await control.auth({ accessTokenLifetimeSec: 10 });
    const { access_token: token } = await passwordLogin(fake.url);
    await control.change({ op: "holidays", on: true });
    await get(fake.url, "/api/3/user", token);
    expect((await control.stats()).requests.total).toBeGreaterThan(0);

    await control.reset();
    expect(await control.stats()).toEqual({ requests: { total: 0, byEndpoint: {} }, logins: { password: 0, refresh: 0, failed: 0 } });
    const pair = await passwordLogin(fake.url);
    expect(pair.expires_in).toBe(3599);
    const classbook = await getJson(fake.url, classbookPath(QUIET_WINDOW), pair.access_token);
    expect(classbook.Days.flatMap((d: any) => d.Hours).length).toBeGreaterThan(0);
  });

  it("refuses parameters outside the model's limits, and unknown fields", async () => {
    for (const body of [{ classes: 0 }, { size: "huge" }, { subjects: 5 }, { seed: 1.5 }, { colour: "blue" }]) {
      const error = await control.reset(body as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(body)).toBeInstanceOf(FakeControlError);
      expect((error as FakeControlError).status).toBe(400);
      expect(JSON.parse((error as FakeControlError).body)).toMatchObject({ ok: false, error: expect.any(String) });
    }
    expect((await control.expected()).classes).toHaveLength(3);
  });
});

describe("stats", () => {
  it("counts requests to the Bakaláři endpoints per route, and never the control API", async () => {
    await control.reset();
    const { access_token: token } = await passwordLogin(fake.url);
    await get(fake.url, "/api/3/user", token);
    await get(fake.url, "/api/3/timetable/permanent", token);
    const classbook = await getJson(fake.url, classbookPath(QUIET_WINDOW), token);
    await get(fake.url, classbookPath(QUIET_WINDOW));
    const lessons = [...new Set(firstLessonPerGroup(classbook).values())].slice(0, 3);
    for (const id of lessons) await get(fake.url, `/api/3/lesson/${id}/absence`, token);
    await get(fake.url, "/api/3/nothing", token);
    await control.expected();
    await control.faults();

    expect(await control.stats()).toEqual({
      requests: {
        total: 9,
        byEndpoint: {
          "POST /api/login": 1,
          "GET /api/3/user": 1,
          "GET /api/3/timetable/permanent": 1,
          "GET /api/3/classbook": 2,
          "GET /api/3/lesson/:lessonId/absence": 3,
          "GET /api/3/nothing": 1,
        },
      },
      logins: { password: 1, refresh: 0, failed: 0 },
    });
  });
});

describe("expected", () => {
  it("answers the roster shapes of src/bakalari/roster.ts and nothing else", async () => {
    const expected = await control.expected();
    expect(Object.keys(expected).sort()).toEqual([
      "classes",
      "studentEnrollments",
      "students",
      "subjects",
      "teachers",
      "teachingAssignments",
    ]);
    expect(Object.keys(expected.classes[0]!).sort()).toEqual(["abbrev", "id", "name"]);
    expect(Object.keys(expected.subjects[0]!).sort()).toEqual(["abbrev", "id", "name"]);
    expect(Object.keys(expected.teachers[0]!).sort()).toEqual(["abbrev", "id", "name"]);
    expect(Object.keys(expected.students[0]!).sort()).toEqual(["classId", "id", "name"]);
    expect(Object.keys(expected.studentEnrollments[0]!).sort()).toEqual(["classId", "subjectId", "userId"]);
    expect(Object.keys(expected.teachingAssignments[0]!).sort()).toEqual(["classId", "subjectId", "userId"]);
    for (const record of [...expected.classes, ...expected.subjects, ...expected.teachers, ...expected.students])
      expect(record.name).not.toBe("");
  });
});

describe("the control client", () => {
  it("imports nothing at run time, so that it runs inside workerd", () => {
    const source = readFileSync(new URL("../../dev/fake-bakalari/control.ts", import.meta.url), "utf8");
    const imports = source.split("\n").filter((line) => /^\s*import\b/.test(line));
    expect(imports.length).toBeGreaterThan(0);
    for (const line of imports) expect(line).toMatch(/^import type /);
    expect(source).not.toMatch(/node:|require\(/);
  });

  it("accepts a base URL with a trailing slash", async () => {
    expect((await fakeControl(`${fake.url}/`).stats()).requests).toBeDefined();
  });
});

describe("startFakeBakalari", () => {
  it("listens on loopback only, and closes idempotently", async () => {
    await expect(startFakeBakalari({ port: 0, host: "0.0.0.0" })).rejects.toThrow(/loopback/);
    const other = await startFakeBakalari({ port: 0 });
    expect(other.url).toBe(`http://127.0.0.1:${other.port}`);
    expect((await get(other.url, "/_fake/stats")).status).toBe(200);
    await Promise.all([other.close(), other.close()]);
    await expect(fetch(`${other.url}/_fake/stats`)).rejects.toThrow();
  });

  it("refuses a port that is taken", async () => {
    await expect(startFakeBakalari({ port: fake.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("the CLI", () => {
  const cli = (args: string[]) =>
    spawn(process.execPath, ["--import", "tsx", "dev/fake-bakalari/cli.ts", ...args], {
      cwd: new URL("../..", import.meta.url),
      stdio: ["ignore", "pipe", "pipe"],
    });
  const exited = (child: ReturnType<typeof cli>) => new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  it("prints the URL and the credentials, serves the school, and stops on SIGTERM", async () => {
    const child = cli(["--port", "0", "--seed", "4", "--classes", "2", "--username", "robot", "--password", "pw"]);
    const exit = exited(child);
    const lines: string[] = [];
    // The password is the last credential the banner prints; wait for it, then read the rest.
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        lines.push(line);
        if (line.includes("BAKALARI_PASSWORD=")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`the CLI exited with ${code} before printing its banner`)));
    });
    const url = /BAKALARI_URL=(\S+)/.exec(lines.join("\n"))![1]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.join("\n")).toContain("BAKALARI_USERNAME=robot");
    expect(lines.join("\n")).toContain("BAKALARI_PASSWORD=pw");
    expect((await fakeControl(url).expected()).classes).toHaveLength(2);
    expect((await passwordLogin(url, "robot", "pw")).access_token).toBeTruthy();

    child.kill("SIGTERM");
    expect(await exit).toBe(0);
  });

  it("refuses bad flags with a message and exit code 1", async () => {
    const child = cli(["--size", "huge"]);
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    expect(await exited(child)).toBe(1);
    expect(stderr).toMatch(/--size/);
  });
});
