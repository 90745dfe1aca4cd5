/** Runs the real engine (runSync) against a test database with a given roster, capturing its log events. */
import type { Roster } from "../../src/bakalari/roster";
import { parseConfig, type Bindings } from "../../src/config";
import type { LogEvent } from "../../src/log";
import { runSync, type SyncRequest, type SyncOutcome } from "../../src/sync/engine";
import { DRIVER, type Driver } from "./driver";
import { testBindings } from "./worker";

export type Engine = {
  run(roster: Roster | (() => Promise<Roster>), request?: Partial<SyncRequest>): Promise<SyncOutcome>;
  logs: LogEvent[];
};

/** The engine on databaseUrl's database, through the project's driver unless told. */
export function engine(databaseUrl: string, overrides: Partial<Bindings> = {}, driver: Driver = DRIVER): Engine {
  const logs: LogEvent[] = [];
  const config = parseConfig(testBindings({ DATABASE_URL: databaseUrl, ...overrides }, driver));
  return {
    logs,
    run: (roster, request = {}) =>
      runSync(
        {
          config,
          log: (event) => logs.push(structuredClone(event)),
          source: () => {
            let requests = 0;
            return {
              read: async () => {
                requests += 1;
                return typeof roster === "function" ? roster() : structuredClone(roster);
              },
              requests: () => requests,
            };
          },
        },
        { trigger: "manual", ...request },
      ),
  };
}

/** Narrows an outcome to a status, failing the test with the outcome shown otherwise. */
export function expectStatus<S extends SyncOutcome["status"]>(outcome: SyncOutcome, status: S): Extract<SyncOutcome, { status: S }> {
  if (outcome.status !== status) throw new Error(`expected status ${status}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<SyncOutcome, { status: S }>;
}
