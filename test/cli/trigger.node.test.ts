/** `npm run trigger` against the Worker served by wrangler dev, with a fake school of its own. */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseArgs, trigger } from "../../cli/trigger";
import { fakeControl } from "../../dev/fake-bakalari/control";
import { startFakeBakalari, type FakeBakalari } from "../../dev/fake-bakalari/server";
import { createNodeTestDatabase } from "../support/node-database";
import { workerVars } from "../support/worker-vars";
import { startWorker, type DevWorker } from "../../dev/wrangler-dev";

const TOKEN = "trigger-test-operator-token-0123456789";

describe("npm run trigger", { timeout: 60_000 }, () => {
  let school: FakeBakalari;
  let worker: DevWorker;

  beforeAll(async () => {
    school = await startFakeBakalari({ port: 0, size: "small" });
    const at = { databaseUrl: await createNodeTestDatabase("trig"), wsProxy: inject("wsProxy"), bakalariUrl: school.url };
    // The public timetable as wrangler.toml has it.
    worker = await startWorker({ vars: workerVars(at, { OPERATOR_TOKEN: TOKEN, BAKALARI_PUBLIC_TIMETABLE: "auto" }) });
  });
  afterAll(async () => {
    await worker?.stop();
    await school?.close();
  });

  const run = async (argv: string[], token = TOKEN) => {
    const args = parseArgs(["--url", worker.url, ...argv]);
    if (typeof args === "string") throw new Error(args);
    const lines: string[] = [];
    const code = await trigger(args, token, (l) => lines.push(l));
    return { code, text: lines.join("\n") };
  };

  it("prints the counts of a sync and of a dry run, exiting 0", async () => {
    const first = await run([]);
    expect(first.code).toBe(0);
    expect(first.text).toMatch(/^sync ok: run [0-9a-f-]{36}/);
    expect(first.text).toMatch(/classes\s+8\s+0\s+0\s+0\s+0/);
    const dry = await run(["--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.text).toMatch(/^dry run: /);
    expect(dry.text).toMatch(/classes\s+0\s+0\s+8\s+0\s+0/);
  });

  it("exits 3 on a hold, saying how to apply it, and 0 with --force", async () => {
    await fakeControl(school.url).change({ op: "dropHalf" });
    const held = await run([]);
    expect(held.code).toBe(3);
    expect(held.text).toContain("SAFETY_HOLD");
    expect(held.text).toContain("--force");
    const forced = await run(["--force"]);
    expect(forced.code).toBe(0);
    expect(forced.text).toMatch(/classes\s+0\s+0\s+4\s+4\s+0/);
  });

  it("exits 5 on a wrong token and 1 on a source failure, never printing the token", async () => {
    const refused = await run([], "wrong-token-wrong-token-wrong-token");
    expect(refused.code).toBe(5);
    expect(refused.text).toContain("UNAUTHORIZED");
    await fakeControl(school.url).setFaults([{ path: "^/api/", kind: "status", status: 503 }]);
    const failed = await run([]);
    expect(failed.code).toBe(1);
    expect(failed.text).toContain("BAKALARI_UNAVAILABLE");
    expect(failed.text).not.toContain(TOKEN);
    await fakeControl(school.url).clearFaults();
  });

  it("refuses a token flag, plain http to another host, and unknown arguments", () => {
    expect(parseArgs(["--url", "https://w.example", "--token", "x"])).toMatch(/OPERATOR_TOKEN/);
    expect(parseArgs(["--url", "http://w.example"])).toMatch(/https/);
    expect(parseArgs(["--url", "https://w.example", "--wipe"])).toMatch(/unknown argument/);
    expect(parseArgs([])).toMatch(/--url is required/);
    expect(parseArgs(["--url", "https://w.example/", "--dry-run"])).toEqual({ url: "https://w.example", dryRun: true, force: false });
  });
});
