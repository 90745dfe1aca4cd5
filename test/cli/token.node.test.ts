import { beforeAll, describe, expect, inject, it } from "vitest";
import { withNodeDatabase } from "../../cli/node-database";
import { tokenCommand } from "../../cli/token";
import { createNodeTestDatabase } from "../support/node-database";
import { verifyToken } from "../../src/operators/tokens";

describe("npm run token", () => {
  let url: string;
  beforeAll(async () => {
    url = await createNodeTestDatabase("cli");
    process.env.NEON_WS_PROXY = inject("wsProxy");
  });

  const KEY = new Uint8Array(32).fill(9);
  const keys = { bootstrap: null, signingKey: KEY };
  const withKey =
    (operatorTokenKey: string | undefined) =>
    async (...args: string[]) => {
      const lines: string[] = [];
      const code = await tokenCommand(args, { databaseUrl: url, operatorTokenKey }, (l) => lines.push(l));
      return { code, lines };
    };
  const run = withKey(Buffer.from(KEY).toString("base64"));

  it("creates a token shown once, lists it without the token, and revokes it", async () => {
    const created = await run("create", "ci-nightly");
    expect(created.code).toBe(0);
    const token = created.lines[1]!;
    // bks_<row id>.<secret>.<signature>
    expect(token).toMatch(/^bks_[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(await withNodeDatabase(url, (db) => verifyToken(token, keys, () => db))).toMatchObject({ name: "ci-nightly" });
    // Signed with another key, the same token is refused before any lookup.
    expect(
      await withNodeDatabase(url, (db) => verifyToken(token, { bootstrap: null, signingKey: new Uint8Array(32) }, () => db)),
    ).toBeNull();

    const listed = await run("list");
    expect(listed.code).toBe(0);
    expect(listed.lines.join("\n")).toContain("ci-nightly\tactive");
    expect(listed.lines.join("\n")).not.toContain(token);

    expect((await run("create", "ci-nightly")).code).toBe(1); // one active token per name
    expect((await run("revoke", "ci-nightly")).code).toBe(0);
    expect(await withNodeDatabase(url, (db) => verifyToken(token, keys, () => db))).toBeNull();
    expect((await run("revoke", "ci-nightly")).code).toBe(1);
    expect((await run("list")).lines.join("\n")).toMatch(/ci-nightly\trevoked /);
  });

  it("creates only with OPERATOR_TOKEN_KEY, and re-issues a token under the same name", async () => {
    for (const key of [undefined, "", "c2hvcnQ="]) {
      const refused = await withKey(key)("create", "no-key");
      expect(refused.code).toBe(2);
      expect(refused.lines.join("\n")).toContain("OPERATOR_TOKEN_KEY");
    }
    expect((await run("list")).lines.join("\n")).not.toContain("no-key");
    // list and revoke need no key.
    expect((await withKey(undefined)("list")).code).toBe(0);

    const first = (await run("create", "reissued")).lines[1]!;
    expect((await run("revoke", "reissued")).code).toBe(0);
    const second = await run("create", "reissued");
    expect(second.code).toBe(0);
    expect(await withNodeDatabase(url, (db) => verifyToken(first, keys, () => db))).toBeNull();
    expect(await withNodeDatabase(url, (db) => verifyToken(second.lines[1]!, keys, () => db))).toMatchObject({ name: "reissued" });
  });

  it("refuses bad usage with exit code 2", async () => {
    expect((await run()).code).toBe(2);
    expect((await run("create")).code).toBe(2);
    expect((await run("create", "bad name")).code).toBe(2);
    expect((await run("delete", "x")).code).toBe(2);
  });
});
