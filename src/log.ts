/**
 * The one logger. Each event is a single console.log of a plain object, so Workers
 * Logs, Logpush and `wrangler tail --format json` see its fields. Callers pass ids,
 * codes and counts only: never names, e-mails, passwords or tokens.
 */
export type LogLevel = "INFO" | "WARN" | "ERROR";

export type LogEvent = {
  level: LogLevel;
  message: string;
  [field: string]: unknown;
};

export type Logger = (event: LogEvent) => void;

export const consoleLogger: Logger = (event) => {
  console.log(event);
};

/** The errors an error wraps (Drizzle's wrapper keeps the driver's error as its cause), outermost first. */
function causeChain(error: unknown): object[] {
  const chain: object[] = [];
  for (let e: unknown = error; e && typeof e === "object" && chain.length < 6 && !chain.includes(e); e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
}

/** The SQLSTATE of a Postgres error, looking through wrappers; null when there is none. */
export function postgresCode(error: unknown): string | null {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code;
    // No SQLSTATE class starts with E; a five-letter errno ("EPIPE") does.
    if (typeof code === "string" && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code)) return code;
  }
  return null;
}

/**
 * What a log line may say about why something failed: "SQLSTATE 57P01", "timeout", or the
 * error's name and errno ("Error ECONNREFUSED", "TypeError"). Never the message: a driver's
 * message can quote a value (a pupil's name) or a connection string.
 */
export function safeCause(error: unknown): string {
  const sqlstate = postgresCode(error);
  if (sqlstate) return `SQLSTATE ${sqlstate}`;
  const chain = causeChain(error);
  const timedOut = chain.some((e) => {
    const { name, message } = e as { name?: unknown; message?: unknown };
    // The message is only looked at, never logged.
    return name === "TimeoutError" || (typeof message === "string" && /\btime(d)?[\s-]?out\b/i.test(message));
  });
  if (timedOut) return "timeout";
  const nameOf = (e: object) => {
    const name = (e as { name?: unknown }).name;
    return typeof name === "string" && /^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(name) ? name : "Error";
  };
  const errnoOf = (e: object) => {
    const { errno, code } = e as { errno?: unknown; code?: unknown };
    if (typeof code === "string" && /^E[A-Z0-9_]{2,30}$/.test(code)) return code;
    if (typeof errno === "number" && Number.isInteger(errno)) return String(errno);
    if (typeof errno === "string" && /^[A-Z0-9_-]{1,30}$/.test(errno)) return errno;
    return null;
  };
  const withErrno = [...chain].reverse().find((e) => errnoOf(e) !== null);
  if (withErrno) return `${nameOf(withErrno)} ${errnoOf(withErrno)}`;
  const innermost = chain.at(-1);
  return innermost ? nameOf(innermost) : typeof error;
}
