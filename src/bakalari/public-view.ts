/**
 * The school's public timetable, read whole: the one documented place where Bakaláři
 * shows every class and teacher (moduly/timetable_public.md). Pages are HTML without
 * sign-in. The entry page lists every class, teacher and room; each teacher's own
 * permanent page holds that teacher's lessons, so reading every teacher's page gives
 * every lesson of the school with its teacher known by id (class pages name teachers
 * only by display name).
 *
 * A public timetable that cannot be read whole (turned off, a login page, 404, 5xx, a
 * timeout, markup not recognised) is "unavailable": nothing it would have shown is
 * taken as gone.
 */
import type { HttpClient } from "./http";
import { mapInPool } from "./pool";
import { parsePublicPage, type PublicLesson } from "./public-timetable";
import { BakalariError } from "./roster";
import { isUsableId } from "./schemas";

export const PUBLIC_ENTRY_PATH = "/Timetable/Public";
/** "/" is encoded; an id "." or ".." is never requested (the HTTP client refuses such paths: pathWouldChange). */
export const publicTeacherPath = (id: string) => `/Timetable/Public/Permanent/Teacher/${encodeURIComponent(id)}`;

/** What the public timetable showed, by Bakaláři id where it gives one (the option values, byte for byte). */
export type PublicView = {
  classes: { id: string; abbrev: string }[];
  /** Teachers by id, with the option text ("Surname Name"). */
  teachers: { id: string; name: string }[];
  /** Subjects by abbreviation (the pages give no subject id), with the name of their lessons. */
  subjects: { abbrev: string; name: string }[];
  /** Who teaches which subject (by abbreviation) in which class, from the teachers' own pages. */
  teaching: { teacherId: string; subjectAbbrev: string; classId: string }[];
  /** Every lesson's group label by class ("1.A celá", "1.A AJ1"), with its subject. */
  lessons: { classId: string; label: string; subjectAbbrev: string }[];
  /** Teachers with a lesson whose class could not be told from its label: their teaching is not known whole. */
  partialTeachers: string[];
};

export type PublicRead = { ok: true; view: PublicView; unresolvedLabels: number } | { ok: false; reason: string };

/** Reads the entry page and every teacher's permanent page; at most `http.concurrency` at once. */
export async function readPublicView(http: HttpClient): Promise<PublicRead> {
  const entry = await fetchPage(http, PUBLIC_ENTRY_PATH);
  if (!entry.ok) return entry;
  const lists = await parsePublicPage(entry.html);
  if (!lists.hasLists) return { ok: false, reason: `${PUBLIC_ENTRY_PATH} holds no class, teacher and room lists (markup not recognised)` };
  if (lists.classes.length === 0 || lists.teachers.length === 0) {
    return { ok: false, reason: `${PUBLIC_ENTRY_PATH} lists no ${lists.classes.length === 0 ? "class" : "teacher"} (turned off?)` };
  }
  // Option values are the Bakaláři ids the API uses. One the API would refuse (too long, not
  // storable, or holding the "|" that joins an enrollment's ids) makes the read unusable: a
  // list with it left out would look like a school without that class or teacher.
  const unusable = [...lists.classes, ...lists.teachers].filter((o) => !isUsableId(o.id)).length;
  if (unusable > 0)
    return { ok: false, reason: `${PUBLIC_ENTRY_PATH} lists ${unusable} class or teacher id(s) that are not usable Bakaláři ids` };
  const classes = lists.classes.map((o) => ({ id: o.id, abbrev: o.text }));
  const teachers = lists.teachers.map((o) => ({ id: o.id, name: o.text }));

  // One page that cannot be read makes the whole read unavailable: the rest are not asked for.
  let failed: { ok: false; reason: string } | null = null;
  const pages = await mapInPool(teachers, http.concurrency, async (t) => {
    if (failed) return failed;
    const page = await fetchPage(http, publicTeacherPath(t.id));
    if (!page.ok) return (failed = page);
    const parsed = await parsePublicPage(page.html);
    if (parsed.unreadableCells > 0) {
      return (failed = {
        ok: false,
        reason: `${parsed.unreadableCells} lesson cells of a teacher's page could not be read (markup not recognised)`,
      });
    }
    return { ok: true as const, lessons: parsed.lessons };
  });

  const classOf = classLabelResolver(classes);
  const subjects = new Map<string, string>();
  const teaching = new Map<string, PublicView["teaching"][number]>();
  const lessons = new Map<string, PublicView["lessons"][number]>();
  const partial = new Set<string>();
  let unresolvedLabels = 0;
  for (const [i, page] of pages.entries()) {
    if (!page.ok) return page;
    const teacherId = teachers[i]!.id;
    for (const lesson of page.lessons) {
      if (!subjects.has(lesson.subjectAbbrev)) subjects.set(lesson.subjectAbbrev, lesson.subjectName);
      for (const label of groupLabels(lesson)) {
        const classId = classOf(label);
        if (classId === null) {
          unresolvedLabels += 1;
          partial.add(teacherId);
          continue;
        }
        const t = { teacherId, subjectAbbrev: lesson.subjectAbbrev, classId };
        teaching.set(JSON.stringify(t), t);
        const l = { classId, label, subjectAbbrev: lesson.subjectAbbrev };
        lessons.set(JSON.stringify(l), l);
      }
    }
  }
  return {
    ok: true,
    unresolvedLabels,
    view: {
      classes,
      teachers,
      subjects: [...subjects].map(([abbrev, name]) => ({ abbrev, name })),
      teaching: [...teaching.values()],
      lessons: [...lessons.values()],
      partialTeachers: [...partial],
    },
  };
}

/**
 * A lesson's group labels: one per group, joined by ", " when a lesson has groups of
 * several classes (an assumption: no public page of such a lesson has been captured).
 */
function groupLabels(lesson: PublicLesson): string[] {
  return lesson.group
    .split(", ")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/**
 * A label starts with its class's abbreviation ("Z9.A celá", "G5B 5BNj"); the longest
 * abbreviation that the label is or starts with (followed by a space) names the class.
 */
export function classLabelResolver(classes: { id: string; abbrev: string }[]): (label: string) => string | null {
  const byLength = [...classes].filter((c) => c.abbrev !== "").sort((a, b) => b.abbrev.length - a.abbrev.length);
  return (label) => byLength.find((c) => label === c.abbrev || label.startsWith(`${c.abbrev} `))?.id ?? null;
}

type Page = { ok: true; html: string } | { ok: false; reason: string };

async function fetchPage(http: HttpClient, path: string): Promise<Page> {
  let res: Awaited<ReturnType<HttpClient["send"]>>;
  try {
    // No credentials: the public pages need none, and none may travel to them.
    res = await http.send({ method: "GET", path, headers: { Accept: "text/html" } });
  } catch (e) {
    if (e instanceof BakalariError) return { ok: false, reason: e.message };
    throw e;
  }
  const route = path.replace(/\/Teacher\/.*$/, "/Teacher/{id}");
  if (res.status >= 300 && res.status < 400)
    return { ok: false, reason: `GET ${route} redirects (HTTP ${res.status}): turned off, or behind a login` };
  if (res.status !== 200) return { ok: false, reason: `GET ${route} answered HTTP ${res.status}` };
  return { ok: true, html: res.body };
}
