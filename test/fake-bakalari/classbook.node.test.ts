/**
 * The class book: lessons on school days only, every group in every full school week,
 * stable lesson ids, the holidays switch, and the query's validation.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { classbookPath, firstLessonPerGroup, get, getJson, passwordLogin, QUIET_WINDOW, useFakeSchool } from "./support";

const { fake, control } = useFakeSchool({ seed: 11 }, { resetEach: false });
let token: string;
let groupIds: Set<string>;

beforeAll(async () => {
  token = (await passwordLogin(fake.url)).access_token;
  const timetable = await getJson(fake.url, "/api/3/timetable/permanent", token);
  groupIds = new Set(timetable.Groups.map((g: any) => g.Id));
});

const window = (from: string, to: string) => classbookPath({ from: `${from}T00:00:00.000`, to: `${to}T00:00:00.000` });
const book = (from: string, to: string) => getJson(fake.url, window(from, to), token);
const byDate = (classbook: any) => new Map<string, any>(classbook.Days.map((d: any) => [d.Date.slice(0, 10), d]));
const groupsIn = (classbook: any) =>
  new Set<string>(classbook.Days.flatMap((d: any) => d.Hours.flatMap((h: any) => h.Groups.map((g: any) => g.Id))));

describe("school days", () => {
  it("gives every group a lesson in any full school week", async () => {
    expect(groupIds.size).toBeGreaterThan(50);
    for (const [from, to] of [
      ["2026-01-12", "2026-01-16"],
      ["2025-10-06", "2025-10-10"],
      ["2026-06-15", "2026-06-19"],
      ["2027-02-01", "2027-02-05"],
    ]) {
      expect(groupsIn(await book(from!, to!)), `${from}…${to}`).toEqual(groupIds);
    }
  });

  it("still shows every group in a 14-day window over Christmas and New Year", async () => {
    expect(groupsIn(await book("2025-12-22", "2026-01-04"))).toEqual(groupIds);
  });

  it("has no lessons on weekends and Czech public holidays", async () => {
    const days = byDate(await book("2025-10-24", "2025-10-29"));
    expect([...days.values()].map((d) => [d.DayOfWeek, d.DayType])).toEqual([
      [5, "WorkDay"],
      [6, "Weekend"],
      [0, "Weekend"],
      [1, "WorkDay"],
      [2, "Celebration"],
      [3, "WorkDay"],
    ]);
    for (const day of days.values()) {
      if (day.DayType === "WorkDay") expect(day.Hours.length).toBeGreaterThan(20);
      else expect(day.Hours).toEqual([]);
    }
    expect(days.get("2025-10-28").DayDescription).not.toBe("");

    const holidays = [
      "2025-11-17",
      "2025-12-24",
      "2025-12-25",
      "2025-12-26",
      "2026-01-01",
      "2026-04-03",
      "2026-04-06",
      "2026-05-01",
      "2026-05-08",
      "2026-07-06",
      "2026-09-28",
      "2027-03-29",
      "2027-07-05",
    ];
    for (const date of holidays) {
      const [day] = (await book(date, date)).Days;
      expect(day.Hours, date).toEqual([]);
      expect(day.DayType, date).toBe("Celebration");
    }
    // The days around Easter 2026 are ordinary school days.
    for (const date of ["2026-04-02", "2026-04-07"]) expect((await book(date, date)).Days[0].Hours.length, date).toBeGreaterThan(0);
  });

  it("dates days at Prague's local midnight, across the daylight-saving switches", async () => {
    const spring = byDate(await book("2026-03-29", "2026-03-30"));
    expect(spring.get("2026-03-29").Date).toBe("2026-03-29T00:00:00+01:00");
    expect(spring.get("2026-03-30").Date).toBe("2026-03-30T00:00:00+02:00");
    const autumn = byDate(await book("2026-10-25", "2026-10-26"));
    expect(autumn.get("2026-10-25").Date).toBe("2026-10-25T00:00:00+02:00");
    expect(autumn.get("2026-10-26").Date).toBe("2026-10-26T00:00:00+01:00");
  });

  it("keeps a lesson's id for the same date, hour and group, whatever the window", async () => {
    const wide = byDate(await getJson(fake.url, classbookPath(QUIET_WINDOW), token)).get("2026-01-12");
    const narrow = byDate(await book("2026-01-12", "2026-01-12")).get("2026-01-12");
    expect(narrow.Hours.map((h: any) => h.LessonId)).toEqual(wide.Hours.map((h: any) => h.LessonId));
    const ids = wide.Hours.map((h: any) => h.LessonId);
    expect(new Set(ids).size).toBe(ids.length);
    // The same hour and group on the next Monday is another lesson.
    const nextMonday = byDate(await book("2026-01-19", "2026-01-19")).get("2026-01-19");
    expect(nextMonday.Hours.map((h: any) => h.Groups)).toEqual(wide.Hours.map((h: any) => h.Groups));
    expect(nextMonday.Hours.map((h: any) => h.LessonId).filter((id: string) => ids.includes(id))).toEqual([]);
  });

  it("has no absence list for a lesson on a day without lessons, or an unknown lesson", async () => {
    const monday = (await book("2026-04-13", "2026-04-13")).Days[0].Hours[0].LessonId as string;
    expect((await get(fake.url, `/api/3/lesson/${monday}/absence`, token)).status).toBe(200);
    // The same hour and group on Easter Monday: no such lesson.
    const easterMonday = `20260406${monday.slice(8)}`;
    const missing = await get(fake.url, `/api/3/lesson/${easterMonday}/absence`, token);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toHaveProperty("Message");
    expect((await get(fake.url, "/api/3/lesson/not-a-lesson/absence", token)).status).toBe(404);
    expect((await get(fake.url, `/api/3/lesson/${monday.slice(0, 10)}99999/absence`, token)).status).toBe(404);
  });
});

describe("the holidays switch", () => {
  it("empties the class book and the absence lists, keeps the roster, and restores both when off", async () => {
    const before = await get(fake.url, classbookPath(QUIET_WINDOW), token);
    const lesson = [...firstLessonPerGroup(JSON.parse(before.text)).values()][0]!;
    const expected = await control.expected();

    expect(await control.change({ op: "holidays", on: true })).toEqual({ ok: true, on: true });
    const during = await getJson(fake.url, classbookPath(QUIET_WINDOW), token);
    expect(during.Days).toHaveLength(12);
    for (const day of during.Days) {
      expect(day.Hours).toEqual([]);
      expect(["Holiday", "Weekend"]).toContain(day.DayType);
    }
    expect(during.Days.filter((d: any) => d.DayType === "Holiday")).toHaveLength(10);
    expect((await get(fake.url, `/api/3/lesson/${lesson}/absence`, token)).status).toBe(404);
    expect(await control.expected()).toEqual(expected);

    await control.change({ op: "holidays", on: false });
    expect((await get(fake.url, classbookPath(QUIET_WINDOW), token)).text).toBe(before.text);
    expect((await get(fake.url, `/api/3/lesson/${lesson}/absence`, token)).status).toBe(200);
  });
});

describe("the query", () => {
  it("accepts the documented format and a few close variants, all inclusive of both ends", async () => {
    for (const [from, to] of [
      ["2026-01-05T00:00:00.000", "2026-01-09T00:00:00.000"],
      ["2026-01-05", "2026-01-09"],
      ["2026-01-05T08:30", "2026-01-09T23:59:59.999Z"],
      ["2026-01-05T00:00:00+01:00", "2026-01-09T00:00:00.0000000"],
    ]) {
      const classbook = await getJson(fake.url, classbookPath({ from: from!, to: to! }), token);
      expect(
        classbook.Days.map((d: any) => d.Date.slice(0, 10)),
        `${from} ${to}`,
      ).toEqual(["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09"]);
    }
    expect((await book("2026-01-01", "2026-03-03")).Days).toHaveLength(62);
  });

  it("refuses a bad query with 400 and a JSON message", async () => {
    for (const path of [
      "/api/3/classbook",
      "/api/3/classbook?from=2026-01-05T00:00:00.000",
      window("2026-01-05", "2026-01-04"),
      window("2026-01-01", "2026-03-04"),
      window("2026-02-30", "2026-03-01"),
      classbookPath({ from: "yesterday", to: "today" }),
    ]) {
      const answer = await get(fake.url, path, token);
      expect(answer.status, path).toBe(400);
      expect(JSON.parse(answer.text).Message, path).toEqual(expect.any(String));
    }
  });

  it("wants a bearer token", async () => {
    const answer = await get(fake.url, classbookPath(QUIET_WINDOW));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ Message: "Authorization has been denied for this request." });
  });
});
