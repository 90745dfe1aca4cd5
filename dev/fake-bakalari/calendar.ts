/**
 * Dates of the class book. A date is a day number (days since 1970-01-01) so that
 * arithmetic never meets time zones or daylight saving; only today (`pragueToday`) and
 * the `Date` strings the payloads carry use Prague's time.
 */
const MS_PER_DAY = 86_400_000;

export type DayKind = { type: "WorkDay" | "Weekend" | "Celebration" | "Holiday"; description: string };

export function dayFromParts(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function partsOfDay(dayNumber: number): { year: number; month: number; day: number } {
  const d = new Date(dayNumber * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday, as .NET's DayOfWeek (and so Bakaláři: Monday is 1). */
export function weekday(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** The Monday of the week a day is in (Saturday and Sunday belong to the week before them). */
export function mondayOfWeek(dayNumber: number): number {
  return dayNumber - ((weekday(dayNumber) + 6) % 7);
}

const PRAGUE_DATE = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Prague", year: "numeric", month: "2-digit", day: "2-digit" });

/** Today in Prague, as a day number: the only thing the fake takes from the clock. */
export function pragueToday(now: Date | number = Date.now()): number {
  const parts = Object.fromEntries(PRAGUE_DATE.formatToParts(now).map((p) => [p.type, p.value]));
  return dayFromParts(Number(parts.year), Number(parts.month), Number(parts.day));
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** "20260922": the date part of lesson ids. */
export function compactDate(dayNumber: number): string {
  const { year, month, day } = partsOfDay(dayNumber);
  return `${year}${pad(month)}${pad(day)}`;
}

export function dayFromCompact(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  return validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

function validDay(year: number, month: number, day: number): number | null {
  const n = dayFromParts(year, month, day);
  const back = partsOfDay(n);
  return back.year === year && back.month === month && back.day === day ? n : null;
}

/**
 * Parses the class book's `from`/`to`: `YYYY-MM-DDTHH:mm:ss.SSS` as documented; a bare date,
 * shorter times and a trailing `Z` or offset are accepted too. Only the date counts.
 */
export function parseQueryDate(text: string | undefined): number | null {
  if (!text) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!m) return null;
  return validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Last Sunday of a month, for the EU daylight-saving rule. */
function lastSunday(year: number, month: number): number {
  const last = dayFromParts(year, month + 1, 0);
  return last - weekday(last);
}

/** "2026-09-22T00:00:00+02:00": local midnight in Prague, as Bakaláři writes dates. */
export function bakalariDate(dayNumber: number): string {
  const { year, month, day } = partsOfDay(dayNumber);
  // Midnight of the switch days themselves is still on the old offset.
  const summer = dayNumber > lastSunday(year, 3) && dayNumber <= lastSunday(year, 10);
  return `${year}-${pad(month)}-${pad(day)}T00:00:00${summer ? "+02:00" : "+01:00"}`;
}

/** Easter Sunday (Gregorian), by the anonymous algorithm of 1876. */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayFromParts(year, month, day);
}

const FIXED_HOLIDAYS: Record<string, string> = {
  "1-1": "Den obnovy samostatného českého státu",
  "5-1": "Svátek práce",
  "5-8": "Den vítězství",
  "7-5": "Den slovanských věrozvěstů Cyrila a Metoděje",
  "7-6": "Den upálení mistra Jana Husa",
  "9-28": "Den české státnosti",
  "10-28": "Den vzniku samostatného československého státu",
  "11-17": "Den boje za svobodu a demokracii",
  "12-24": "Štědrý den",
  "12-25": "1. svátek vánoční",
  "12-26": "2. svátek vánoční",
};

/** The Czech public holiday on that day, if any (Good Friday and Easter Monday included). */
export function publicHoliday(dayNumber: number): string | null {
  const { year, month, day } = partsOfDay(dayNumber);
  const fixed = FIXED_HOLIDAYS[`${month}-${day}`];
  if (fixed) return fixed;
  const easter = easterSunday(year);
  if (dayNumber === easter - 2) return "Velký pátek";
  if (dayNumber === easter + 1) return "Velikonoční pondělí";
  return null;
}

/** What kind of day it is for the class book; `holidays` is the summer-holidays switch. */
export function dayKind(dayNumber: number, holidays: boolean): DayKind {
  const dow = weekday(dayNumber);
  if (dow === 0 || dow === 6) return { type: "Weekend", description: "" };
  const celebration = publicHoliday(dayNumber);
  if (celebration) return { type: "Celebration", description: celebration };
  if (holidays) return { type: "Holiday", description: "Hlavní prázdniny" };
  return { type: "WorkDay", description: "" };
}
