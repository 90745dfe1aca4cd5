/**
 * The fake school's public timetable as its tests read it (public-timetable*.node.test.ts):
 * a file's own fake school and the model it holds, a reader for the fake's own markup (a few
 * regular expressions; the Worker's HTMLRewriter reader is tested in
 * test/bakalari/public-timetable.test.ts), and what a page must show, read from the model
 * independently of the fake's renderer.
 */
import { beforeEach } from "vitest";
import type { Atom, School } from "../../dev/fake-bakalari/model";
import { generateSchool } from "../../dev/fake-bakalari/school-generation";
import { decodeCharacterReferences } from "../../src/bakalari/character-references";
import { get, useFakeSchool } from "./support";

/**
 * A fake school of the file's own (seed 5), reset before each test, with `school`: the model
 * it then holds, generated from the same parameters (read it inside tests), and `page(path)`
 * (a GET of the served page).
 */
export function useServedSchool() {
  const { fake, control } = useFakeSchool({ seed: 5 }, { resetEach: false });
  let current: School | undefined;
  beforeEach(async () => {
    current = generateSchool((await control.reset()).params);
  });
  const model = () => {
    if (!current) throw new Error("the school is generated before each test: read it inside one");
    return current;
  };
  return {
    fake,
    control,
    school: new Proxy({} as School, { get: (_, name) => model()[name as keyof School] }),
    page: (path: string) => get(fake.url, path),
  };
}

export const pagePath = (week: string, kind: string, id: string) => `/Timetable/Public/${week}/${kind}/${encodeURIComponent(id)}`;

// ---------------------------------------------------------------------------
// A reader for the fake's own markup

export type Option = { id: string; text: string; selected: boolean };

/** The options of `<select id="…">`, decoded; null when the page has no such select. */
export function options(html: string, listId: string): Option[] | null {
  const select = new RegExp(`<select id="${listId}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!select) return null;
  return [...select[1]!.matchAll(/<option( value="([^"]*)")?( selected="selected")?>([\s\S]*?)<\/option>/g)].map((m) => ({
    id: m[2] === undefined ? "" : decodeCharacterReferences(m[2]),
    text: decodeCharacterReferences(m[4]!).replace(/\s+/g, " ").trim(),
    selected: m[3] !== undefined,
  }));
}

type Detail = { type: string; subjecttext: string; teacher: string | null; room: string; group: string } & Record<string, unknown>;
export type ServedLesson = { detail: Detail; rawDetail: string; middle: string };

/** The `.day-item`s of a page: the raw data-detail, its JSON (values decoded) and the `.middle`. */
export function lessons(html: string): ServedLesson[] {
  const items = html.split('<div class="day-item" ').slice(1);
  return items.map((item) => {
    const raw = /<div class="day-item-hover" data-detail='([^']*)'>/.exec(item)?.[1];
    if (raw === undefined) throw new Error(`a day item without data-detail: ${item.slice(0, 200)}`);
    // Values are encoded one by one, so the JSON parses first and its strings decode after.
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const detail = Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === "string" ? decodeCharacterReferences(v) : v]),
    ) as Detail;
    const middle = decodeCharacterReferences(/<div class="middle">([^<]*)<\/div>/.exec(item)![1]!);
    return { detail, rawDetail: raw, middle };
  });
}

/** The rows of a grid page: the day label, the date (or null) and the lessons of each cell. */
export function rows(html: string): { day: string; date: string | null; cells: ServedLesson[][] }[] {
  return html
    .split('<div class="d-flex flex-row bk-timetable-row">')
    .slice(1)
    .map((row) => ({
      day: decodeCharacterReferences(/<span class="bk-day-day">([^<]*)<\/span>/.exec(row)![1]!),
      date: /<span class="bk-day-date">([^<]*)<\/span>/.exec(row)?.[1] ?? null,
      cells: row.split('<div class="bk-timetable-cell"').slice(1).map(lessons),
    }));
}

// ---------------------------------------------------------------------------
// The model, read independently of the fake's renderer

export const DAY = ["ne", "po", "út", "st", "čt", "pá", "so"];
const HOUR_TEXT: Record<number, string> = {
  2: "1 (8:00 - 8:45)",
  3: "2 (8:55 - 9:40)",
  4: "3 (10:00 - 10:45)",
  5: "4 (10:55 - 11:40)",
  6: "5 (11:50 - 12:35)",
  7: "6 (12:45 - 13:30)",
  8: "7 (13:40 - 14:25)",
  9: "8 (14:35 - 15:20)",
};

function labelOf(school: School, atom: Atom): string {
  return atom.groupIds
    .map((id) => {
      const group = school.groups.get(id)!;
      return group.kind === "whole" ? `${school.classes.get(group.classId)!.abbrev} celá` : group.abbrev;
    })
    .join(", ");
}

/** What a page must show for an atom of the school, as one comparable line. */
export function expectedLine(school: School, atom: Atom, ownTeacherPage: boolean, dayLabel = DAY[atom.dayOfWeek]!): string {
  const subject = school.subjects.get(atom.subjectId)!;
  const teacher = school.teachers.get(atom.teacherId)!;
  return JSON.stringify([
    `${subject.name || subject.abbrev} | ${dayLabel} | ${HOUR_TEXT[atom.hourId]}`,
    subject.abbrev,
    labelOf(school, atom),
    ownTeacherPage ? null : teacher.name || teacher.abbrev,
    atom.roomId === "" ? "" : school.rooms.get(atom.roomId)!.abbrev,
  ]);
}

export const servedLine = (l: ServedLesson) =>
  JSON.stringify([l.detail.subjecttext, l.middle, l.detail.group, l.detail.teacher, l.detail.room]);
export const sorted = (lines: string[]) => [...lines].sort();
