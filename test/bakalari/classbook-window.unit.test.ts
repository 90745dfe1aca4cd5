import { describe, expect, it } from "vitest";
import { classbookWindow } from "../../src/bakalari/classbook-window";

describe("classbookWindow", () => {
  it("gives the last 14 days up to now in Prague time, in summer time", () => {
    // 29 March 2026 is the day Prague moves to UTC+2.
    expect(classbookWindow(new Date("2026-03-29T12:00:00.123Z"))).toEqual({
      from: "2026-03-15T00:00:00.000",
      to: "2026-03-29T14:00:00.123",
    });
  });

  it("uses the Prague date, not the UTC date, near midnight in winter", () => {
    expect(classbookWindow(new Date("2026-01-10T23:30:00.250Z"))).toEqual({
      from: "2025-12-28T00:00:00.000",
      to: "2026-01-11T00:30:00.250",
    });
  });
});
