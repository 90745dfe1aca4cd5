/**
 * `npm run token -- create NAME | list | revoke NAME`: operator tokens in DATABASE_URL.
 * `create` signs the new token with OPERATOR_TOKEN_KEY (the Worker's secret of the same name)
 * and prints it once; only its SHA-256 hash is stored.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { ConfigError, parseOperatorTokenKey } from "../src/config";
import { createToken, listTokens, revokeToken } from "../src/operators/tokens";
import { databaseUrlFromEnv, withNodeDatabase } from "./node-database";

const USAGE = `usage: npm run token -- create NAME | list | revoke NAME
  NAME: 1-64 letters, digits, dots, dashes or underscores (for example ci-nightly)
  DATABASE_URL: the database; create also needs OPERATOR_TOKEN_KEY, the Worker's secret that signs tokens
  re-issue a token under the same name: npm run token -- revoke NAME && npm run token -- create NAME`;

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export type TokenEnv = {
  databaseUrl: string;
  /** OPERATOR_TOKEN_KEY as set (base64 of 32 bytes); needed by create only. */
  operatorTokenKey: string | undefined;
};

/** The command and its name, or null when the arguments are not one of the usage's forms. */
function parseCommand(args: string[]): { command: string; name: string | undefined } | null {
  try {
    const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
    const [command, name, ...rest] = positionals;
    return command && rest.length === 0 ? { command, name } : null;
  } catch {
    return null; // an option: none is known
  }
}

export async function tokenCommand(args: string[], env: TokenEnv, out: (line: string) => void): Promise<number> {
  const parsed = parseCommand(args);
  if (!parsed) {
    out(USAGE);
    return 2;
  }
  const { command, name } = parsed;
  if ((command === "create" || command === "revoke") && (!name || !NAME.test(name))) {
    out(USAGE);
    return 2;
  }
  let signingKey: Uint8Array | null = null;
  if (command === "create") {
    try {
      signingKey = parseOperatorTokenKey(env.operatorTokenKey);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      out(`token: ${error.problems.join("; ")}`);
      return 2;
    }
    if (!signingKey) {
      out("token: OPERATOR_TOKEN_KEY is not set: set it to the Worker's secret of that name, which signs stored tokens");
      return 2;
    }
  }
  return withNodeDatabase(env.databaseUrl, async (db) => {
    switch (command) {
      case "create": {
        const active = (await listTokens(db)).some((t) => t.name === name && !t.revokedAt);
        if (active) {
          out(`token: an active token named ${name} exists; revoke it first (rotation: create a new name, switch, revoke the old)`);
          return 1;
        }
        const { token } = await createToken(db, name!, signingKey!);
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
  tokenCommand(args, { databaseUrl, operatorTokenKey: process.env.OPERATOR_TOKEN_KEY }, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`token: failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
