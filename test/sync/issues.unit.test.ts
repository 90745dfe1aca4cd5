/**
 * A run's warnings and errors, bounded (src/sync/issues.ts): at most 200 kept in full within
 * a byte budget, the first of every code before any second, every one counted by code; the
 * stored form reads back to the same, and records written before the bound still read.
 */
import { describe, expect, it } from "vitest";
import type { Coverage } from "../../src/bakalari/roster";
import {
  boundCoverage,
  boundIssues,
  fromStored,
  MAX_EXEMPT_BYTES,
  MAX_KEPT_ISSUES,
  MAX_KEPT_WARNING_BYTES,
  MAX_MESSAGE_CHARS,
  toStored,
  warningFields,
  type Issue,
} from "../../src/sync/issues";

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;
const invalid = (i: number, id = `T${i}`): Issue => ({
  code: "BAKALARI_RECORD_INVALID",
  message: `GET /api/3/timetable/permanent: dropped Teachers[${i}] (id ${JSON.stringify(id)}): invalid_type at Abbrev`,
  externalId: id,
});

describe("bounded warnings", () => {
  it("keeps a short list whole, in order, with its counts", () => {
    const all: Issue[] = [invalid(1), { code: "CLASSES_EXEMPT", message: "2 classes" }, invalid(2)];
    expect(boundIssues(all)).toEqual({ kept: all, count: 3, counts: { BAKALARI_RECORD_INVALID: 2, CLASSES_EXEMPT: 1 } });
    expect(toStored("warnings", all)).toEqual(all);
    expect(fromStored("warnings", toStored("warnings", all))).toEqual(boundIssues(all));
  });

  it("keeps at most 200 of 60,000, the first of every code among them, and counts every one", () => {
    const all: Issue[] = [
      { code: "BAKALARI_TOKEN_NOT_CACHED", message: "not cached" },
      ...Array.from({ length: 60_000 }, (_, i) => invalid(i)),
      { code: "CLASSES_EXEMPT", message: "3 classes exempt" },
      { code: "BAKALARI_GROUP_ROSTER_FAILED", message: "one list failed", externalId: "G1" },
    ];
    const b = boundIssues(all);
    expect(b.kept.length).toBeLessThanOrEqual(MAX_KEPT_ISSUES);
    expect(b.kept.length).toBeGreaterThan(150);
    expect(b.count).toBe(60_003);
    expect(b.counts).toEqual({
      BAKALARI_TOKEN_NOT_CACHED: 1,
      BAKALARI_RECORD_INVALID: 60_000,
      CLASSES_EXEMPT: 1,
      BAKALARI_GROUP_ROSTER_FAILED: 1,
    });
    // Every code is shown, the late ones too, and the order is the run's.
    expect(new Set(b.kept.map((w) => w.code))).toEqual(new Set(Object.keys(b.counts)));
    expect(b.kept.at(-1)!.code).toBe("BAKALARI_GROUP_ROSTER_FAILED");
    expect(b.kept[1]).toEqual(invalid(0));
    expect(bytes(b.kept)).toBeLessThanOrEqual(MAX_KEPT_WARNING_BYTES);

    const stored = toStored("warnings", all);
    expect(stored.at(-1)).toMatchObject({
      code: "WARNINGS_OMITTED",
      counts: b.counts,
      message: expect.stringContaining(`${60_003 - b.kept.length} more warnings`),
    });
    expect(fromStored("warnings", stored)).toEqual(b);
    expect(warningFields(all)).toEqual({ warnings: b.kept, warningCount: 60_003, warningCounts: b.counts });
  });

  it("stays within its byte budget whatever the ids and messages hold", () => {
    const id = "Ř".repeat(120) + "\u202e😀";
    const all = Array.from({ length: 5_000 }, (_, i) => ({ ...invalid(i, `${id}${i}`), message: "Ž".repeat(10_000) }));
    const b = boundIssues(all);
    expect(bytes(b.kept)).toBeLessThanOrEqual(MAX_KEPT_WARNING_BYTES);
    expect(b.kept.length).toBeGreaterThan(10);
    for (const w of b.kept) {
      expect(w.message.length).toBe(MAX_MESSAGE_CHARS);
      expect(w.message.endsWith("…")).toBe(true);
      expect(w.externalId).toBe(all[Number(w.externalId!.slice(id.length))]!.externalId); // ids untouched
    }
  });

  it("never cuts a message inside a surrogate pair", () => {
    const message = "a".repeat(MAX_MESSAGE_CHARS - 2) + "😀".repeat(10);
    const [kept] = boundIssues([{ code: "CLASSES_EXEMPT", message }]).kept;
    expect(kept!.message).toBe(`${"a".repeat(MAX_MESSAGE_CHARS - 2)}…`);
    expect(kept!.message).not.toMatch(/\p{Cs}/u); // no lone surrogate
  });

  it("reads records written before the bound (a plain array), and anything else as nothing", () => {
    const old = [invalid(1), invalid(2)];
    expect(fromStored("warnings", old)).toEqual({ kept: old, count: 2, counts: { BAKALARI_RECORD_INVALID: 2 } });
    expect(fromStored("errors", null)).toEqual({ kept: [], count: 0, counts: {} });
    expect(fromStored("errors", { not: "a list" })).toEqual({ kept: [], count: 0, counts: {} });
  });
});

describe("bounded coverage", () => {
  const coverage = (exempt: number): Coverage => ({
    account: { type: "headmastership" },
    catalog: { classes: exempt, teachers: 1, subjects: 1, groups: exempt, publicTimetable: "off", publicTimetableReadAt: null },
    rosters: {
      groups: exempt,
      groupsRead: 0,
      groupsReused: 0,
      oldestReusedAt: null,
      classes: exempt,
      classesRead: 0,
      classesExempt: exempt,
      classesSubjectsUnverified: 0,
      exempt: Array.from({ length: exempt }, (_, i) => ({ classId: `${"Ř".repeat(120)}${i}`, reason: "request_failed" as const })),
    },
  });

  it("lists the exempt classes of a small school whole, and cuts a huge list keeping the counts", () => {
    expect(boundCoverage(coverage(3))).toEqual(coverage(3));
    expect(boundCoverage(null)).toBeNull();
    const cut = boundCoverage(coverage(60_000))!;
    expect(cut.rosters.classesExempt).toBe(60_000);
    expect(cut.rosters.exempt.length).toBeGreaterThan(0);
    expect(bytes(cut.rosters.exempt)).toBeLessThanOrEqual(MAX_EXEMPT_BYTES);
    expect(cut.rosters.exempt).toEqual(coverage(60_000).rosters.exempt.slice(0, cut.rosters.exempt.length));
  });
});
