import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, parseOperatorTokenKey, type Bindings } from "../src/config";

const good: Bindings = {
  DATABASE_URL: "postgres://app:secret-pw@db.example.com/roster",
  BAKALARI_URL: "https://bakalari.example.cz",
  BAKALARI_USERNAME: "sync",
  BAKALARI_PASSWORD: "Pa55word-never-logged",
  OPERATOR_TOKEN: "x".repeat(32),
};

const hyperdrive = (connectionString: string, database = "roster") =>
  ({
    connectionString,
    database,
    host: "x.hyperdrive.local",
    port: 5432,
    user: "app",
    password: "made-up",
    connect: () => {
      throw new Error("not here");
    },
  }) as Hyperdrive;

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

describe("OPERATOR_TOKEN_KEY", () => {
  const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(5)));

  it("is base64 of 32 bytes, or unset (then only OPERATOR_TOKEN works)", () => {
    expect(parseConfig({ ...good, OPERATOR_TOKEN_KEY: key }).operatorTokenKey).toEqual(new Uint8Array(32).fill(5));
    expect(parseConfig(good).operatorTokenKey).toBeNull();
    expect(parseConfig({ ...good, OPERATOR_TOKEN_KEY: " " }).operatorTokenKey).toBeNull();
  });

  it("names itself when malformed, never its value", () => {
    for (const bad of ["c2hvcnQ=", "not base64!", btoa("k".repeat(33))]) {
      const message = problemsOf({ ...good, OPERATOR_TOKEN_KEY: bad });
      expect(message).toContain("OPERATOR_TOKEN_KEY");
      expect(message).not.toContain(bad);
    }
  });

  it("is read by the same rule for npm run token", () => {
    expect(parseOperatorTokenKey(key)).toEqual(new Uint8Array(32).fill(5));
    expect(parseOperatorTokenKey(undefined)).toBeNull();
    expect(() => parseOperatorTokenKey("c2hvcnQ=")).toThrow(/OPERATOR_TOKEN_KEY must be base64 of exactly 32 bytes/);
  });
});

describe("HYPERDRIVE", () => {
  it("is optional: without it the Worker uses DATABASE_URL (Neon's driver)", () => {
    expect(parseConfig(good)).toMatchObject({ databaseUrl: good.DATABASE_URL, hyperdrive: null });
  });

  it("with it, DATABASE_URL may be unset; its connection string and database are kept as plain data", () => {
    const cs = "postgresql://app:made-up@x.hyperdrive.local:5432/roster?sslmode=disable";
    const c = parseConfig({ ...good, DATABASE_URL: undefined, HYPERDRIVE: hyperdrive(cs) });
    expect(c.databaseUrl).toBeNull();
    expect(c.hyperdrive).toEqual({ connectionString: cs, database: "roster" });
    expect(parseConfig({ ...good, HYPERDRIVE: hyperdrive(cs) }).hyperdrive?.connectionString).toBe(cs);
  });

  it("without either, names DATABASE_URL beside every other problem", () => {
    const message = problemsOf({ BAKALARI_URL: good.BAKALARI_URL });
    expect(message).toMatch(/DATABASE_URL is missing \(a postgres:\/\/ connection string, or a HYPERDRIVE binding\)/);
    expect(message).toContain("BAKALARI_USERNAME");
  });

  it("refuses something that is not a Hyperdrive binding", () => {
    expect(problemsOf({ ...good, HYPERDRIVE: "postgres://x@y/z" as unknown as Hyperdrive })).toContain(
      "HYPERDRIVE must be a Hyperdrive binding",
    );
  });
});
