/**
 * A reader of Bakaláři's public timetable pages (`/Timetable/Public…`): HTML, no sign-in
 * (bakalari-api-v3, moduly/timetable_public.md, priklady/options.html and day.html).
 *
 * It runs in the Worker with workerd's built-in `HTMLRewriter` and does no I/O: the
 * caller fetches the page and hands over its text.
 *
 * - `<select id="selectedClass|selectedTeacher|selectedRoom">` list every class, teacher
 *   and room as `<option value="ID">text</option>` after an empty first option.
 * - Every lesson is a `.day-item` holding a `.day-item-hover` whose `data-detail` attribute
 *   is JSON (`{"type":"atom","subjecttext":"Name | day | hour (begin - end)","teacher",
 *   "room","group",…}`), and the subject abbreviation in a `.middle` element.
 *
 * HTMLRewriter hands over attribute values and text exactly as written (character
 * references undecoded) and text in chunks split anywhere: both are gathered and
 * decoded here. The contents of `<script>` (and other raw-text elements) are never
 * elements to it, so option-like text inside a script produces nothing.
 */

import { decodeCharacterReferences, decodeForJson } from "./character-references";

export type PublicOption = { id: string; text: string };
export type PublicLesson = {
  subjectAbbrev: string;
  subjectName: string;
  group: string;
  teacher: string | null;
  room: string | null;
};
export type PublicPage = {
  classes: PublicOption[];
  teachers: PublicOption[];
  rooms: PublicOption[];
  lessons: PublicLesson[];
  /** elements that looked like lessons but could not be read (no/invalid data-detail, no .middle) */
  unreadableCells: number;
  /** whether the three selects were present at all */
  hasLists: boolean;
};

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

// ---------------------------------------------------------------------------
// data-detail

type Detail = Record<string, unknown>;

/**
 * The JSON of a `data-detail` attribute (as written, references undecoded), or null.
 * Decoded plainly first (a server that encodes the attribute as a whole); then with
 * decoded quotes kept inside their strings (a server that encodes each value, so that a
 * `"` in a name arrives as `&quot;` with no backslash).
 */
function parseDetail(raw: string): Detail | null {
  for (const text of [decodeCharacterReferences(raw), decodeForJson(raw)]) {
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === "object" && !Array.isArray(value)) return value as Detail;
      return null;
    } catch {
      // the next decoding, if any
    }
  }
  return null;
}

/** "Matematika | po 10.11. | 2 (8:55 - 9:40)" → "Matematika": every part but the day and the hour. */
function subjectNameOf(subjecttext: string): string {
  const parts = subjecttext.split(" | ");
  const name = parts.length >= 3 ? parts.slice(0, -2).join(" | ") : parts[0]!;
  return collapse(name);
}

const textOrNull = (value: unknown): string | null => {
  if (typeof value !== "string") return null;
  const text = collapse(value);
  return text === "" ? null : text;
};

// ---------------------------------------------------------------------------
// The page

const LISTS = { selectedClass: "classes", selectedTeacher: "teachers", selectedRoom: "rooms" } as const;
type ListKey = (typeof LISTS)[keyof typeof LISTS];

type PendingOption = { value: string | null; text: string; done: boolean };
type PendingLesson = { detail: string | null; middle: string | null; done: boolean };

/** Reads a public timetable page: the three lists of the school and the lessons shown. */
export async function parsePublicPage(html: string): Promise<PublicPage> {
  const page: PublicPage = { classes: [], teachers: [], rooms: [], lessons: [], unreadableCells: 0, hasLists: false };
  const seen: Record<ListKey, Set<string>> = { classes: new Set(), teachers: new Set(), rooms: new Set() };
  const found = new Set<ListKey>();

  // Lists: the select being read (selects do not nest), and its option being read.
  let list: ListKey | null = null;
  let option: PendingOption | null = null;
  const finishOption = (pending: PendingOption | null) => {
    if (!pending || pending.done) return;
    pending.done = true;
    if (option === pending) option = null;
    if (!list || pending.value === null) return;
    // Ids byte for byte (" 6" is not "6"); only the references are decoded.
    const id = decodeCharacterReferences(pending.value);
    if (id === "" || seen[list].has(id)) return;
    seen[list].add(id);
    page[list].push({ id, text: collapse(decodeCharacterReferences(pending.text)) });
  };

  // Lessons: the `.day-item-hover` being read, and whether the `.day-item` around it had one.
  let lesson: PendingLesson | null = null;
  let middleDepth = 0;
  let dayItems: { sawHover: boolean }[] = [];
  const finishLesson = (pending: PendingLesson | null) => {
    if (!pending || pending.done) return;
    pending.done = true;
    if (lesson === pending) lesson = null;
    const read = readLesson(pending);
    if (read === "unreadable") page.unreadableCells += 1;
    else if (read) page.lessons.push(read);
  };

  const rewriter = new HTMLRewriter()
    .on("select", {
      element(element) {
        const id = element.getAttribute("id");
        const key = id !== null && Object.hasOwn(LISTS, id) ? LISTS[id as keyof typeof LISTS] : null;
        finishOption(option);
        list = key;
        if (key) found.add(key);
        element.onEndTag(() => {
          finishOption(option);
          list = null;
        });
      },
    })
    .on("option", {
      element(element) {
        finishOption(option);
        if (!list) return;
        const pending: PendingOption = { value: element.getAttribute("value"), text: "", done: false };
        option = pending;
        element.onEndTag(() => finishOption(pending));
      },
      text(chunk) {
        if (option) option.text += chunk.text;
      },
    })
    .on(".day-item", {
      element(element) {
        const item = { sawHover: false };
        dayItems.push(item);
        element.onEndTag(() => {
          dayItems = dayItems.filter((other) => other !== item);
          if (!item.sawHover) page.unreadableCells += 1;
        });
      },
    })
    .on(".day-item-hover", {
      element(element) {
        finishLesson(lesson);
        for (const item of dayItems) item.sawHover = true;
        const pending: PendingLesson = { detail: element.getAttribute("data-detail"), middle: null, done: false };
        lesson = pending;
        element.onEndTag(() => finishLesson(pending));
      },
    })
    .on(".middle", {
      element(element) {
        // The first `.middle` of a lesson holds its subject's abbreviation.
        if (!lesson || lesson.middle !== null) return;
        lesson.middle = "";
        middleDepth += 1;
        element.onEndTag(() => {
          middleDepth -= 1;
        });
      },
      text(chunk) {
        if (lesson && middleDepth > 0 && lesson.middle !== null) lesson.middle += chunk.text;
      },
    });

  // Driving the rewriter to the end runs every handler; its output is not needed.
  await rewriter.transform(new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } })).arrayBuffer();
  finishOption(option);
  finishLesson(lesson);
  // Day items never closed (a cut page) that held no hover still looked like lessons.
  page.unreadableCells += dayItems.filter((item) => !item.sawHover).length;

  page.hasLists = found.size === 3;
  return page;
}

/** A lesson, null for a detail of another type (a removed lesson, an event), or "unreadable". */
function readLesson(pending: PendingLesson): PublicLesson | null | "unreadable" {
  if (pending.detail === null) return "unreadable";
  const detail = parseDetail(pending.detail);
  if (!detail) return "unreadable";
  if (detail.type !== undefined && detail.type !== null && detail.type !== "atom") return null;
  if (typeof detail.subjecttext !== "string") return "unreadable";
  const subjectAbbrev = pending.middle === null ? "" : collapse(decodeCharacterReferences(pending.middle));
  if (subjectAbbrev === "") return "unreadable";
  return {
    subjectAbbrev,
    subjectName: subjectNameOf(detail.subjecttext),
    group: typeof detail.group === "string" ? collapse(detail.group) : "",
    teacher: textOrNull(detail.teacher),
    room: textOrNull(detail.room),
  };
}
