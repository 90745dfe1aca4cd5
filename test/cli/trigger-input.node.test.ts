/**
 * `npm run trigger` with careless input and hostile answers, as a process (exit codes and
 * output as a script sees them): a URL carrying a password, a query or a fragment and a
 * token no Bearer header can carry are refused with exit code 2 before anything is sent;
 * a failed request is described without echoing the token or the URL; and what a Worker
 * answers is printed with control and format characters escaped.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs, tokenProblem } from "../../cli/trigger";
import { freePort } from "../../dev/postgres";

const ROOT = path.join(import.meta.dirname, "..", "..");
const TOKEN = "cli-input-test-token-0123456789abcdef";

/** Runs the CLI; resolves with its exit code and everything it printed. */
function cli(args: string[], token: string | undefined = TOKEN): Promise<{ code: number | null; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (token === undefined) delete env.OPERATOR_TOKEN;
  else env.OPERATOR_TOKEN = token;
  const child = spawn(process.execPath, ["--import", "tsx", "cli/trigger.ts", ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, out, err })));
}

describe("npm run trigger refuses careless input", { timeout: 60_000 }, () => {
  it.each([
    ["https://ops:s3cret-pw@worker.example", /user name or password/],
    ["https://ops@worker.example", /user name or password/],
    ["https://@worker.example", /user name or password/],
    ["https://worker.example/?token=abc", /query or a fragment/],
    ["https://worker.example/?", /query or a fragment/],
    ["https://worker.example/#top", /query or a fragment/],
    ["https://worker.example#", /query or a fragment/],
  ])("refuses --url %s", (url, message) => {
    expect(parseArgs(["--url", url])).toMatch(message);
  });

  it("keeps a base URL with a path, without its trailing slashes", () => {
    expect(parseArgs(["--url", "https://example.com/bakalari-sync//"])).toEqual({
      url: "https://example.com/bakalari-sync",
      dryRun: false,
      force: false,
    });
  });

  it.each([
    ["a space", `${TOKEN} x`],
    ["a newline", `${TOKEN}\n`],
    ["a quote", `"${TOKEN}"`],
    ["a letter outside ASCII", `${TOKEN}ž`],
    ["a control character", `${TOKEN}\u0007`],
    ["= before the end", `${TOKEN}=x`],
    ["513 characters", "a".repeat(513)],
  ])("names the problem with a token holding %s, never quoting it", (_what, token) => {
    const problem = tokenProblem(token);
    expect(problem).toMatch(/^OPERATOR_TOKEN /);
    expect(problem).not.toContain(TOKEN);
  });

  it("accepts every character a Bearer token may hold", () => {
    expect(tokenProblem(`${"Az09-._~+/".repeat(4)}==`)).toBeNull();
  });

  it("exits 2 on a URL with a password, printing neither the password nor sending anything", async () => {
    const port = await freePort();
    const { code, out, err } = await cli(["--url", `http://ops:s3cret-pw@127.0.0.1:${port}`]);
    expect(code).toBe(2);
    expect(err).toMatch(/--url must not carry a user name or password/);
    expect(out + err).not.toContain("s3cret-pw");
  });

  it("exits 2 on a token with a newline, before sending it, never printing it", async () => {
    let asked = 0;
    const server = createServer((_req, res) => {
      asked += 1;
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { code, out, err } = await cli(
        ["--url", `http://127.0.0.1:${(server.address() as AddressInfo).port}`],
        `${TOKEN}\nX-Injected: 1`,
      );
      expect(code).toBe(2);
      expect(out + err).toMatch(/OPERATOR_TOKEN holds characters a Bearer token cannot/);
      expect(out + err).not.toContain(TOKEN);
      expect(asked).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("exits 1 when the Worker cannot be reached, giving the cause only: no token, no raw error", async () => {
    const port = await freePort(); // nothing listens there
    const { code, out, err } = await cli(["--url", `http://127.0.0.1:${port}`]);
    expect(code).toBe(1);
    expect(out).toBe(`trigger: could not reach http://127.0.0.1:${port} (Error ECONNREFUSED)\n`);
    expect(out + err).not.toContain(TOKEN);
    expect(out + err).not.toContain("fetch failed");
  });
});

describe("npm run trigger shows hostile answers safely", { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  /** What the stand-in Worker answers next. */
  let next: { status: number; body: unknown } = { status: 200, body: {} };
  const counts = (n: number) => ({ created: n, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0 });

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(next.status, { "content-type": "application/json" });
      res.end(JSON.stringify(next.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Nothing that can drive a terminal or reorder text: no C0/C1 control but the newlines, no format character. */
  const expectInert = (text: string) => {
    expect(text.replaceAll("\n", "")).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  };
  /** The CLI run against the stand-in answering `status` and `body`: whatever it printed is inert. */
  const cliAnswering = async (status: number, body: unknown) => {
    next = { status, body };
    const result = await cli(["--url", url]);
    expectInert(result.out);
    return result;
  };

  it("escapes bidi controls and terminal escapes in warnings, and shows ids so that twins differ", async () => {
    const { code, out } = await cliAnswering(200, {
      success: true,
      runId: "8b2f6c1e-0000-4000-8000-000000000001",
      status: "ok",
      durationMs: 12,
      counts: { classes: counts(1), subjects: counts(0), users: counts(0), enrollments: counts(0) },
      warnings: [
        {
          code: "BAKALARI_RECORD_INVALID",
          message: 'dropped Teachers[0] (id "U\u202e52"): invalid_type at Name',
          externalId: "U\u202e52",
        },
        { code: "BAKALARI_RECORD_INVALID", message: "\u001b[2J\u001b[31mpwned\u0007", externalId: "U  25" },
        { code: "BAKALARI_RECORD_INVALID", message: "twin", externalId: "U  25\u200b" },
      ],
      warningCount: 60_003,
      warningCounts: { BAKALARI_RECORD_INVALID: 60_003 },
      requestId: "req-1",
    });
    expect(code).toBe(0);
    expect(out).toContain('(id "U\\u202E52")');
    expect(out).toContain("(id U\\u202E52)");
    expect(out).toContain("\\u001B[2J\\u001B[31mpwned\\u0007");
    expect(out).toContain("(id U··25)");
    expect(out).toContain("(id U··25\\u200B)");
    expect(out).toContain("60003 warnings: BAKALARI_RECORD_INVALID 60003");
    expect(out).toContain("… and 60000 more");
  });

  it("escapes a hostile error answer too, and exits 1", async () => {
    const { code, out } = await cliAnswering(502, {
      success: false,
      code: "BAKALARI_PAYLOAD",
      message: "GET /api/3/timetable/permanent answered \u202ethis\u202c and \u001b]0;title\u0007",
      status: "fail",
      runId: "8b2f6c1e-0000-4000-8000-000000000002",
      errors: [{ code: "BAKALARI_PAYLOAD", message: "\u009b31m" }],
      requestId: "req-2",
    });
    expect(code).toBe(1);
    expect(out).toContain("answered \\u202Ethis\\u202C and \\u001B]0;title\\u0007");
    expect(out).toContain("error BAKALARI_PAYLOAD: \\u009B31m");
  });
});
