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
