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

  const run = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await tokenCommand(args, url, (l) => lines.push(l));
    return { code, lines };
  };

  it("creates a token shown once, lists it without the token, and revokes it", async () => {
    const created = await run("create", "ci-nightly");
    expect(created.code).toBe(0);
    const token = created.lines[1]!;
    expect(token).toMatch(/^bks_[A-Za-z0-9_-]{43}$/);
    expect(await withNodeDatabase(url, (db) => verifyToken(db, token, null))).toMatchObject({ name: "ci-nightly" });

    const listed = await run("list");
    expect(listed.code).toBe(0);
    expect(listed.lines.join("\n")).toContain("ci-nightly\tactive");
    expect(listed.lines.join("\n")).not.toContain(token);

    expect((await run("create", "ci-nightly")).code).toBe(1); // one active token per name
    expect((await run("revoke", "ci-nightly")).code).toBe(0);
    expect(await withNodeDatabase(url, (db) => verifyToken(db, token, null))).toBeNull();
    expect((await run("revoke", "ci-nightly")).code).toBe(1);
    expect((await run("list")).lines.join("\n")).toMatch(/ci-nightly\trevoked /);
  });

  it("refuses bad usage with exit code 2", async () => {
    expect((await run()).code).toBe(2);
    expect((await run("create")).code).toBe(2);
    expect((await run("create", "bad name")).code).toBe(2);
    expect((await run("delete", "x")).code).toBe(2);
  });
});
