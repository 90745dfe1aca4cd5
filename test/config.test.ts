import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, type Bindings } from "../src/config";

const good: Bindings = {
  DATABASE_URL: "postgres://app:secret-pw@db.example.com/roster",
  BAKALARI_URL: "https://bakalari.example.cz",
  BAKALARI_USERNAME: "sync",
  BAKALARI_PASSWORD: "Pa55word-never-logged",
  OPERATOR_TOKEN: "x".repeat(32),
};

function problemsOf(env: Bindings): string {
  try {
    parseConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("parses a good configuration with the documented defaults", () => {
    const c = parseConfig(good);
    expect(c).toMatchObject({
      maxDeleteRatio: 0.1,
      maxUpdateRatio: 0.75,
      tokenKey: null,
      neonWsProxy: null,
      bakalariUrl: "https://bakalari.example.cz",
    });
    expect(parseConfig({ ...good, BAKALARI_URL: "http://127.0.0.1:8788/" }).bakalariUrl).toBe("http://127.0.0.1:8788");
    expect(parseConfig({ ...good, BAKALARI_TOKEN_KEY: btoa("k".repeat(32)) }).tokenKey).toHaveLength(32);
  });

  it.each([
    ["DATABASE_URL", { DATABASE_URL: undefined }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://x@y/z" }],
    ["BAKALARI_URL", { BAKALARI_URL: "http://bakalari.example.cz" }],
    ["BAKALARI_URL", { BAKALARI_URL: "https://bakalari.example.cz/api" }],
    ["BAKALARI_URL", { BAKALARI_URL: "https://user:pw@bakalari.example.cz" }],
    ["BAKALARI_USERNAME", { BAKALARI_USERNAME: "  " }],
    ["BAKALARI_PASSWORD", { BAKALARI_PASSWORD: undefined }],
    ["BAKALARI_TOKEN_KEY", { BAKALARI_TOKEN_KEY: btoa("short") }],
    ["OPERATOR_TOKEN", { OPERATOR_TOKEN: "too-short" }],
    ["NEON_WS_PROXY", { NEON_WS_PROXY: "ws://127.0.0.1:5480" }],
    ["SYNC_MAX_DELETE_RATIO", { SYNC_MAX_DELETE_RATIO: "1.5" }],
    ["SYNC_MAX_UPDATE_RATIO", { SYNC_MAX_UPDATE_RATIO: "lots" }],
  ] as const)("names %s when it is missing or malformed, never its value", (name, change) => {
    const env = { ...good, ...change } as Bindings;
    const message = problemsOf(env);
    expect(message).toContain(name);
    for (const value of Object.values(env)) if (typeof value === "string" && value.length > 4) expect(message).not.toContain(value);
  });

  it("names every bad variable at once", () => {
    const message = problemsOf({});
    for (const name of ["DATABASE_URL", "BAKALARI_URL", "BAKALARI_USERNAME", "BAKALARI_PASSWORD"]) expect(message).toContain(name);
  });
});
