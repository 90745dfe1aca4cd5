/** An enrollment's key is its row's external id, and the state reads its user, subject and class from it. */
import { describe, expect, it } from "vitest";
import { enrollmentKey, parseEnrollmentKey, publicSubjectId } from "../../src/bakalari/roster";

describe("enrollment keys", () => {
  it("give back the user, subject and class they were made of", () => {
    const e = { userId: "U1", subjectId: "S 7", classId: "ZA" };
    expect(parseEnrollmentKey(enrollmentKey(e))).toEqual(e);
  });

  it("keep a subject known by abbreviation whole, though its key holds a bar", () => {
    const e = { userId: "U1", subjectId: publicSubjectId("Ma|x"), classId: "ZA" };
    expect(enrollmentKey(e)).toBe("U1|abbrev|Ma|x|ZA");
    expect(parseEnrollmentKey(enrollmentKey(e))).toEqual(e);
  });

  it.each(["", "U1", "U1|S1", "|S1|ZA", "U1||ZA", "U1|S1|"])("refuse %j, which is not one", (text) => {
    expect(parseEnrollmentKey(text)).toBeNull();
  });
});
