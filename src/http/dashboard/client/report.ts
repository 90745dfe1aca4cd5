/**
 * The parts of a run's report that the outcome of a sync and the runs table share:
 * its counts, its warnings and errors, and what it could see (coverage).
 */
import type { Coverage, ExemptReason } from "../../../bakalari/roster";
import type { Issue, IssueCounts } from "../../../sync/issues";
import { ENTITY_TYPES, type Counts } from "../../../sync/plan";
import { el, idEl } from "./dom";
import { KIND_LABELS, KINDS, lookup, number, plural, textOf } from "./figures";

export function countsTable(counts: Counts | null | undefined, caption: string): HTMLElement {
  const head = el("tr", {}, [
    el("th", { scope: "col", text: "Type" }),
    ...KINDS.map((k) => el("th", { scope: "col", text: KIND_LABELS[k] })),
  ]);
  const rows = ENTITY_TYPES.map((t) => {
    const c = counts?.[t];
    return el("tr", {}, [
      el("th", { scope: "row", text: t }),
      ...KINDS.map((k) => el("td", { "data-label": KIND_LABELS[k], text: number.format(Number(c?.[k]) || 0) })),
    ]);
  });
  const table = el("table", { class: "counts" }, [el("caption", { text: caption }), el("thead", {}, head), el("tbody", {}, rows)]);
  return el("div", { class: "scroll", role: "region", "aria-label": caption, tabindex: "0" }, table);
}

/** Warnings or errors: the first 20 of those the run kept; total counts every one (a run keeps at most 200). */
export function issueItems(items: readonly Issue[], total: number): HTMLElement {
  const shownItems = items.slice(0, 20).map((w) => {
    const parts = [el("code", { text: textOf(w.code) }), ": " + textOf(w.message)];
    if (w.externalId !== undefined && w.externalId !== null) parts.push(" (id ", idEl(w.externalId), ")");
    return el("li", {}, parts);
  });
  if (total > shownItems.length)
    shownItems.push(el("li", { class: "muted", text: "and " + plural(total - shownItems.length, "more", "more") }));
  return el("ul", { class: "compact" }, shownItems);
}

export function issuesList(items: readonly Issue[] | undefined, noun: string, total: number | undefined): HTMLElement | null {
  const n = typeof total === "number" ? total : (items || []).length;
  if (!n) return null;
  return el("details", {}, [el("summary", { text: plural(n, noun, noun + "s") }), issueItems(items || [], n)]);
}

/** Counts by code, most frequent first: { BAKALARI_RECORD_INVALID: 60000, … }. */
export function countsByCode(counts: IssueCounts | undefined): HTMLElement {
  const all = counts || {};
  const codes = Object.keys(all).sort((a, b) => all[b]! - all[a]! || (a < b ? -1 : 1));
  return el(
    "ul",
    { class: "compact codes" },
    codes.map((code) => el("li", {}, [el("code", { text: textOf(code) }), ": " + number.format(Number(all[code]) || 0)])),
  );
}

const REASONS: Record<ExemptReason, string> = {
  holidays: "no lesson in the class book window (holidays?)",
  account_scope: "the account may not read the class book",
  no_group_known: "no group known to this account",
  not_in_classbook: "not in the account's class book",
  no_lesson: "a group had no lesson in the window",
  request_failed: "a roster request failed",
  no_whole_class_group: "only split groups visible, not the whole class",
  invalid_record: "a group record was invalid",
};

/** "Rosters read for 1 of 3 classes", and which classes are exempt and why (ids, never names). */
export function coverageSummary(cov: Coverage | null | undefined): HTMLElement | null {
  if (!cov?.rosters) return null;
  const r = cov.rosters;
  const cat = cov.catalog || ({} as Coverage["catalog"]);
  const line =
    "Rosters read for " +
    number.format(r.classesRead) +
    " of " +
    plural(r.classes, "class", "classes") +
    " (" +
    number.format(r.groupsRead) +
    " of " +
    plural(r.groups, "group", "groups") +
    " read now" +
    (r.groupsReused ? ", " + number.format(r.groupsReused) + " reused from earlier reads" : "") +
    ")";
  const source =
    "Catalog: " +
    plural(cat.classes, "class", "classes") +
    ", " +
    plural(cat.teachers, "teacher", "teachers") +
    ", " +
    plural(cat.subjects, "subject", "subjects") +
    "; account type " +
    (cov.account?.type ? textOf(cov.account.type) : "unknown") +
    "; public timetable " +
    (cat.publicTimetable || "off");
  const parts: HTMLElement[] = [el("p", { class: "coverage", text: line + ". " + source + "." })];
  const exempt = r.exempt || [];
  const exemptCount = typeof r.classesExempt === "number" ? r.classesExempt : exempt.length;
  if (exemptCount) {
    const byReason = new Map<string, string[]>();
    for (const e of exempt) byReason.set(e.reason, [...(byReason.get(e.reason) ?? []), e.classId]);
    const items = [...byReason].map(([reason, ids]) =>
      el("li", {}, [
        (lookup(REASONS, reason) || reason) + ": " + plural(ids.length, "class", "classes") + " ",
        ...ids.slice(0, 20).flatMap((id, i) => (i === 0 ? [idEl(id)] : [", ", idEl(id)])),
      ]),
    );
    // A run lists at most 200 exempt classes by id; the count is of all of them.
    if (exemptCount > exempt.length)
      items.push(
        el("li", { class: "muted", text: "and " + plural(exemptCount - exempt.length, "more class", "more classes") + " not listed" }),
      );
    parts.push(
      el("details", {}, [
        el("summary", { text: plural(exemptCount, "class", "classes") + " exempt: their pupils are left as they are" }),
        el("ul", { class: "compact" }, items),
      ]),
    );
  }
  return el("div", { class: "coverage-block" }, parts);
}

/** The runs table's one line of coverage: "rosters: 8 of 8 classes". */
export function coverageLine(cov: Coverage | null | undefined): HTMLElement | null {
  if (!cov?.rosters) return null;
  return el("div", {
    class: "muted",
    text: "rosters: " + number.format(cov.rosters.classesRead) + " of " + plural(cov.rosters.classes, "class", "classes"),
  });
}
