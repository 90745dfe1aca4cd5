import { describe, expect, it } from "vitest";
import { API_ERROR_STATUS, BAKALARI_ERROR_CODES, ROSTER_WARNING, RUN_ERROR_CODES, type ApiErrorCode, type WarningCode } from "../src/codes";
import { ApiError } from "../src/http/errors";

describe("closed codes", () => {
  it("answers every run error with a status of its own, the source's with 502", () => {
    for (const code of RUN_ERROR_CODES) expect(API_ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
    for (const code of BAKALARI_ERROR_CODES) expect(API_ERROR_STATUS[code]).toBe(502);
    expect(new ApiError("RATE_LIMITED", "slow down").status).toBe(429);
    expect(new ApiError("SAFETY_HOLD", "held").status).toBe(422);
  });

  it("spells each warning once", () => {
    const codes = Object.values(ROSTER_WARNING);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toContain("BAKALARI_DUPLICATE_ID");
    expect(codes).not.toContain("DUPLICATE_ID");
  });

  it("lets the compiler refuse a code nobody declared", () => {
    // @ts-expect-error: not an API error code
    const unknownApi: ApiErrorCode = "TEAPOT";
    // @ts-expect-error: the planner's old spelling of BAKALARI_DUPLICATE_ID
    const oldSpelling: WarningCode = "DUPLICATE_ID";
    // @ts-expect-error: ApiError takes a declared code, never a free string
    expect(() => new ApiError("SOMETHING_NEW", "?")).not.toThrow();
    expect([unknownApi, oldSpelling]).toHaveLength(2);
  });
});
