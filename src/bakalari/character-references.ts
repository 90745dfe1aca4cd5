/**
 * HTML character references, decoded as the HTML standard does for the text of Bakaláři's
 * public timetable pages: HTMLRewriter hands attribute values and text over undecoded.
 */

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

/** Decodes for JSON text (a data-detail attribute): a decoded `"`, `\` or control character is escaped, so it stays inside its string. */
export function decodeForJson(text: string): string {
  return decodeWith(text, (decoded) =>
    decoded.replace(/["\\\u0000-\u001f]/g, (ch) =>
      ch === '"' ? '\\"' : ch === "\\" ? "\\\\" : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
    ),
  );
}
