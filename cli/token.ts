/**
 * `npm run token -- create NAME | list | revoke NAME`: operator tokens in DATABASE_URL.
 * `create` prints the new token once; only its SHA-256 hash is stored.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createToken, listTokens, revokeToken } from "../src/operators/tokens";
import { databaseUrlFromEnv, withNodeDatabase } from "./node-database";

const USAGE = `usage: npm run token -- create NAME | list | revoke NAME
  NAME: 1-64 letters, digits, dots, dashes or underscores (for example ci-nightly)`;

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export async function tokenCommand(args: string[], databaseUrl: string, out: (line: string) => void): Promise<number> {
  const [command, name, ...rest] = args;
  if (rest.length > 0 || !command) {
    out(USAGE);
    return 2;
  }
  if ((command === "create" || command === "revoke") && (!name || !NAME.test(name))) {
    out(USAGE);
    return 2;
  }
  return withNodeDatabase(databaseUrl, async (db) => {
    switch (command) {
      case "create": {
        const active = (await listTokens(db)).some((t) => t.name === name && !t.revokedAt);
        if (active) {
          out(`token: an active token named ${name} exists; revoke it first (rotation: create a new name, switch, revoke the old)`);
          return 1;
        }
        const { token } = await createToken(db, name!);
        out(`created token ${name}. It is shown once; store it now:`);
        out(token);
        return 0;
      }
      case "list": {
        const tokens = await listTokens(db);
        if (tokens.length === 0) out("no stored tokens");
        for (const t of tokens) {
          const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : "active";
          out(`${t.name}\t${state}\tcreated ${t.createdAt.toISOString()}\tlast used ${t.lastUsedAt?.toISOString() ?? "never"}`);
        }
        return 0;
      }
      case "revoke": {
        if (await revokeToken(db, name!)) {
          out(`revoked token ${name}`);
          return 0;
        }
        out(`token: no active token named ${name}`);
        return 1;
      }
      default:
        out(USAGE);
        return 2;
    }
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const databaseUrl = args[0] === "--help" || args.length === 0 ? "" : databaseUrlFromEnv("token");
  if (!databaseUrl) {
    console.log(USAGE);
    process.exit(args.length === 0 ? 2 : 0);
  }
  tokenCommand(args, databaseUrl, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`token: failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
