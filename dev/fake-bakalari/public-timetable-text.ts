/**
 * The text of the public timetable's pages: HTML encoded as ASP.NET's
 * WebUtility.HtmlEncode writes it (as the samples show), the lesson detail's attribute,
 * and how the pages name teachers and groups.
 */
import type { Atom, School, Teacher } from "./model";

/**
 * HTML text as ASP.NET's WebUtility.HtmlEncode writes it: `& < > " '` as references,
 * U+00A0..U+00FF as decimal references (`á` → `&#225;`), everything else raw (`č`, `ř`).
 * Safe in text and in attributes of either quote.
 */
export function htmlEncode(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "'") out += "&#39;";
    else if (code >= 0xa0 && code <= 0xff) out += `&#${code};`;
    else out += ch;
  }
  return out;
}

/** The lesson detail as the `data-detail` attribute's value: each string encoded, then the JSON (its quotes raw). */
export function detailAttribute(detail: Record<string, unknown>): string {
  const encoded = Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === "string" ? htmlEncode(v) : v]));
  // An encoded value holds no `'`, `"`, `<`, `>` or bare `&`: the JSON fits between single quotes.
  return JSON.stringify(encoded);
}

// ---------------------------------------------------------------------------
// Names and labels

const POSTNOMINALS = new Set(["MBA", "BBA", "DiS", "CSc", "DrSc", "PhD", "MSc", "BSc", "LLM"]);
const isTitle = (word: string) => word.endsWith(".") || POSTNOMINALS.has(word);

/** "Mgr. Jana Nováková, Ph.D." → "Nováková Jana": titles dropped, surname first; a teacher without a name shows its abbreviation. */
export function teacherListName(teacher: Pick<Teacher, "name" | "abbrev">): string {
  const words = teacher.name.split(/\s+/).map((w) => w.replace(/,+$/, ""));
  const kept: string[] = [];
  words.forEach((word, i) => {
    if (word === "" || isTitle(word)) return;
    // "Mgr. et Mgr.": the "et" between two titles is a title's.
    if (word === "et" && i > 0 && isTitle(words[i - 1]!)) return;
    kept.push(word);
  });
  if (kept.length === 0) return teacher.abbrev;
  return [kept[kept.length - 1]!, ...kept.slice(0, -1)].join(" ");
}

/** The name with titles, as lesson details show a teacher ("Mgr. Jana Nováková"); its abbreviation when it has none. */
export const teacherDisplayName = (teacher: Pick<Teacher, "name" | "abbrev">) => teacher.name.trim() || teacher.abbrev;

/**
 * A lesson's group label: "<class abbrev> celá" for a whole-class group, the group's
 * Abbrev ("1.A AJ1") for any other, joined by ", " for a lesson of several groups.
 */
export function groupLabel(school: School, atom: Pick<Atom, "groupIds">): string {
  return atom.groupIds
    .map((id) => {
      const group = school.groups.get(id);
      if (!group) return "";
      if (group.kind === "whole") return `${school.classes.get(group.classId)?.abbrev ?? group.abbrev} celá`;
      return group.abbrev;
    })
    .filter((label) => label !== "")
    .join(", ");
}
