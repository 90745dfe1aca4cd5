/** What a log line may say about a failure (src/log.ts safeCause): a code or a name, never a message. */
import { describe, expect, it } from "vitest";
import { postgresCode, safeCause } from "../src/log";

const withFields = (error: Error, fields: Record<string, unknown>) => Object.assign(error, fields);

describe("safeCause", () => {
  it("gives the SQLSTATE of a Postgres error, through a wrapper's cause", () => {
    const driver = withFields(new Error('null value in column "name" violates not-null constraint: Ženíšek'), {
      name: "error",
      code: "23502",
    });
    const wrapped = new Error("Failed query: insert into users …", { cause: driver });
    expect(safeCause(wrapped)).toBe("SQLSTATE 23502");
    expect(postgresCode(wrapped)).toBe("23502");
  });

  it('says "timeout" for a timeout, however it is spelled', () => {
    expect(safeCause(new DOMException("The operation timed out.", "TimeoutError"))).toBe("timeout");
    expect(safeCause(new Error("Connection terminated due to connection timeout"))).toBe("timeout");
    expect(safeCause(new Error("wrapper", { cause: new Error("timeout exceeded when trying to connect") }))).toBe("timeout");
  });

  it("gives the innermost error's name and errno, not mistaking a five-letter errno for a SQLSTATE", () => {
    const refused = withFields(new Error("connect ECONNREFUSED 10.0.0.1:5432 postgres://app:pw@db"), { code: "ECONNREFUSED", errno: -111 });
    expect(safeCause(new TypeError("fetch failed", { cause: refused }))).toBe("Error ECONNREFUSED");
    expect(safeCause(withFields(new Error("write EPIPE"), { code: "EPIPE" }))).toBe("Error EPIPE");
    expect(postgresCode(withFields(new Error("x"), { code: "EPIPE" }))).toBeNull();
    expect(safeCause(withFields(new Error("x"), { errno: 104 }))).toBe("Error 104");
  });

  it("gives the name alone otherwise, and never any part of a message", () => {
    expect(safeCause(new TypeError("Cannot read properties of undefined (reading 'Ženíšek')"))).toBe("TypeError");
    expect(safeCause(withFields(new Error("x"), { name: "Bad name with spaces: secret" }))).toBe("Error");
    expect(safeCause("a thrown string with a password")).toBe("string");
    const loop: Error & { cause?: unknown } = new Error("loop");
    loop.cause = loop;
    expect(safeCause(loop)).toBe("Error");
  });
});
