/**
 * The class book window a run reads rosters from: from midnight 14 days ago up to
 * now, in the school's local time (Europe/Prague), formatted as Bakaláři expects
 * (YYYY-MM-DDTHH:mm:ss.SSS, no offset). Two weeks cover groups that meet every
 * other week (odd/even week cycles) and a week of absence of a teacher.
 */
export const CLASSBOOK_WINDOW_DAYS = 14;
const SCHOOL_TIME_ZONE = "Europe/Prague";

const localParts = new Intl.DateTimeFormat("en-GB", {
  timeZone: SCHOOL_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

export function classbookWindow(now: Date): { from: string; to: string } {
  const parts = Object.fromEntries(localParts.formatToParts(now).map((p) => [p.type, p.value]));
  const [year, month, day] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  // Calendar arithmetic on the local date (UTC here only as a date calculator).
  const start = new Date(Date.UTC(year, month - 1, day - CLASSBOOK_WINDOW_DAYS));
  const ms = String(now.getUTCMilliseconds()).padStart(3, "0"); // offsets are whole minutes
  return {
    from: `${start.toISOString().slice(0, 10)}T00:00:00.000`,
    to: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}`,
  };
}
