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

// ---------------------------------------------------------------------------
// Character references

/** Named references a Bakaláři page (or an ASP.NET encoder) may plausibly use. */
const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  shy: "\u00ad",
  copy: "©",
  reg: "®",
  trade: "™",
  deg: "°",
  plusmn: "±",
  middot: "·",
  times: "×",
  divide: "÷",
  sect: "§",
  para: "¶",
  micro: "µ",
  laquo: "«",
  raquo: "»",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  bull: "•",
  euro: "€",
  cent: "¢",
  pound: "£",
  yen: "¥",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  iexcl: "¡",
  iquest: "¿",
  ordf: "ª",
  ordm: "º",
  sup1: "¹",
  sup2: "²",
  sup3: "³",
  frac12: "½",
  frac14: "¼",
  frac34: "¾",
  not: "¬",
  macr: "¯",
  acute: "´",
  cedil: "¸",
  uml: "¨",
  ensp: "\u2002",
  emsp: "\u2003",
  thinsp: "\u2009",
  zwnj: "\u200c",
  zwj: "\u200d",
  // Latin-1 letters
  Agrave: "À",
  Aacute: "Á",
  Acirc: "Â",
  Atilde: "Ã",
  Auml: "Ä",
  Aring: "Å",
  AElig: "Æ",
  Ccedil: "Ç",
  Egrave: "È",
  Eacute: "É",
  Ecirc: "Ê",
  Euml: "Ë",
  Igrave: "Ì",
  Iacute: "Í",
  Icirc: "Î",
  Iuml: "Ï",
  ETH: "Ð",
  Ntilde: "Ñ",
  Ograve: "Ò",
  Oacute: "Ó",
  Ocirc: "Ô",
  Otilde: "Õ",
  Ouml: "Ö",
  Oslash: "Ø",
  Ugrave: "Ù",
  Uacute: "Ú",
  Ucirc: "Û",
  Uuml: "Ü",
  Yacute: "Ý",
  THORN: "Þ",
  szlig: "ß",
  agrave: "à",
  aacute: "á",
  acirc: "â",
  atilde: "ã",
  auml: "ä",
  aring: "å",
  aelig: "æ",
  ccedil: "ç",
  egrave: "è",
  eacute: "é",
  ecirc: "ê",
  euml: "ë",
  igrave: "ì",
  iacute: "í",
  icirc: "î",
  iuml: "ï",
  eth: "ð",
  ntilde: "ñ",
  ograve: "ò",
  oacute: "ó",
  ocirc: "ô",
  otilde: "õ",
  ouml: "ö",
  oslash: "ø",
  ugrave: "ù",
  uacute: "ú",
  ucirc: "û",
  uuml: "ü",
  yacute: "ý",
  thorn: "þ",
  yuml: "ÿ",
  // Czech and Slovak letters outside Latin-1
  Ccaron: "Č",
  ccaron: "č",
  Dcaron: "Ď",
  dcaron: "ď",
  Ecaron: "Ě",
  ecaron: "ě",
  Ncaron: "Ň",
  ncaron: "ň",
  Rcaron: "Ř",
  rcaron: "ř",
  Scaron: "Š",
  scaron: "š",
  Tcaron: "Ť",
  tcaron: "ť",
  Zcaron: "Ž",
  zcaron: "ž",
  Uring: "Ů",
  uring: "ů",
  Lcaron: "Ľ",
  lcaron: "ľ",
  Lacute: "Ĺ",
  lacute: "ĺ",
  Racute: "Ŕ",
  racute: "ŕ",
  OElig: "Œ",
  oelig: "œ",
  Yuml: "Ÿ",
};

/** What the HTML standard makes of the C1 controls in a numeric reference (Windows-1252). */
const WINDOWS_1252: Record<number, number> = {
  0x80: 0x20ac,
  0x82: 0x201a,
  0x83: 0x0192,
  0x84: 0x201e,
  0x85: 0x2026,
  0x86: 0x2020,
  0x87: 0x2021,
  0x88: 0x02c6,
  0x89: 0x2030,
  0x8a: 0x0160,
  0x8b: 0x2039,
  0x8c: 0x0152,
  0x8e: 0x017d,
  0x91: 0x2018,
  0x92: 0x2019,
  0x93: 0x201c,
  0x94: 0x201d,
  0x95: 0x2022,
  0x96: 0x2013,
  0x97: 0x2014,
  0x98: 0x02dc,
  0x99: 0x2122,
  0x9a: 0x0161,
  0x9b: 0x203a,
  0x9c: 0x0153,
  0x9e: 0x017e,
  0x9f: 0x0178,
};

const REFERENCE = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

function fromCodePoint(code: number): string {
  // As the HTML standard does: NUL, surrogates and values past Unicode become U+FFFD.
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
  return String.fromCodePoint(WINDOWS_1252[code] ?? code);
}

function decodeWith(text: string, wrap: (decoded: string) => string): string {
  if (!text.includes("&")) return text;
  return text.replace(REFERENCE, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined) return wrap(fromCodePoint(Number.parseInt(dec, 10)));
    if (hex !== undefined) return wrap(fromCodePoint(Number.parseInt(hex, 16)));
    const named = Object.hasOwn(NAMED, name!) ? NAMED[name!] : undefined;
    return named === undefined ? whole : wrap(named);
  });
}

/**
 * Decodes character references: decimal (`&#225;`), hexadecimal (`&#xE1;`) and the common
 * named ones (`&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&nbsp;`, Latin-1 and Czech letters,
 * typographic marks). A reference needs its `;`; unknown names are left as they are.
 */
export function decodeCharacterReferences(text: string): string {
  return decodeWith(text, (decoded) => decoded);
}

/** Decodes for JSON text: a decoded `"`, `\` or control character is escaped, so it stays inside its string. */
function decodeForJson(text: string): string {
  return decodeWith(text, (decoded) =>
    decoded.replace(/["\\\u0000-\u001f]/g, (ch) =>
      ch === '"' ? '\\"' : ch === "\\" ? "\\\\" : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
    ),
  );
}

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
