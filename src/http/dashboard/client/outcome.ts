/**
 * What a sync answered, shown under the buttons: the counts it applied or would apply,
 * a held run with its reasons and the confirmation before applying it past the hold,
 * or why it failed.
 */
import type { HoldReason } from "../../../sync/guard";
import type { Answer, HeldAnswer, Problem, SyncAnswer } from "./api";
import { type Child, el, idEl, timeEl } from "./dom";
import { changeTotals, duration, holdText, number, textOf } from "./figures";
import { countsTable, coverageSummary, issuesList } from "./report";
import { ui } from "./ui";

/** What a button asked for: a sync, a dry run, or a sync past the safety hold. */
export type Action = "sync" | "preview" | "force";

function runMeta(b: Pick<SyncAnswer, "runId" | "durationMs" | "completedAt">): HTMLElement {
  const parts: Child[] = ["Run ", el("code", {}, idEl(b.runId))];
  if (typeof b.durationMs === "number") parts.push(", took " + duration(b.durationMs));
  if (b.completedAt) parts.push(", finished ", timeEl(b.completedAt));
  return el("p", { class: "muted" }, parts);
}

function holdList(reasons: HoldReason[] | undefined, attrs = {}): HTMLElement {
  return el(
    "ul",
    { class: "compact", ...attrs },
    (reasons || []).map((r) => el("li", { text: holdText(r) })),
  );
}

function showOutcome(kind: string, title: string, parts: Child[]): void {
  const id = "outcome-title";
  const active = document.activeElement;
  const lost = !active || active === document.body || ui.outcome.contains(active);
  const heading = el("h3", { id, tabindex: "-1", text: title });
  ui.outcome.replaceChildren(el("article", { class: "result result-" + kind, "aria-labelledby": id }, [heading, ...parts]));
  // The focused control (such as "Apply anyway") may just have been replaced: continue from the result.
  if (lost) heading.focus();
}

export function renderResult(action: Action, b: SyncAnswer): void {
  if (b.status === "dry_run") {
    const parts: Child[] = [runMeta(b), el("p", { text: "This is what a sync would change now." })];
    if (b.wouldHold) {
      parts.push(el("p", { text: "A real sync would be held for review:" }));
      parts.push(holdList(b.holdReasons));
    }
    parts.push(
      coverageSummary(b.coverage),
      countsTable(b.counts, "What a sync would change"),
      issuesList(b.warnings, "warning", b.warningCount),
    );
    showOutcome("dry_run", "Preview (dry run): nothing was written", parts);
    return;
  }
  showOutcome("ok", action === "force" ? "Applied past the hold: OK" : "Sync finished: OK", [
    runMeta(b),
    coverageSummary(b.coverage),
    countsTable(b.counts, "What the sync changed"),
    issuesList(b.warnings, "warning", b.warningCount),
  ]);
}

export function renderHeld(b: HeldAnswer): void {
  const apply = el("button", { type: "button", class: "danger", id: "apply-anyway", text: "Apply anyway\u2026" });
  apply.addEventListener("click", () => confirmApply(b));
  showOutcome("held", "Held for review: nothing was written", [
    el("p", { text: "The plan looks like a broken feed, so the safety guard held it:" }),
    holdList(b.holdReasons, { id: "hold-reasons" }),
    coverageSummary(b.coverage),
    countsTable(b.counts, "What the held run would change"),
    issuesList(b.warnings, "warning", b.warningCount),
    el("p", { text: "If the change is real (for example classes that really left), apply it." }),
    el("div", { class: "buttons" }, apply),
    el("p", { class: "muted" }, ["Run ", el("code", {}, idEl(b.runId))]),
  ]);
}

export function renderFailure(res: Answer<Problem>): void {
  const b = res.body || {};
  const title =
    res.status === 409 ? "Another run is in progress" : "Sync failed" + (b.code ? ": " + textOf(b.code) : " (HTTP " + res.status + ")");
  const parts: Child[] = [];
  if (res.status === 409) {
    parts.push(
      el("p", {}, ["Run ", el("code", {}, idEl(b.runningRunId || "unknown")), " holds the lease. Try again when it has finished."]),
    );
  } else {
    parts.push(el("p", { text: b.message ? textOf(b.message) : "The Worker answered HTTP " + res.status + "." }));
    if (Array.isArray(b.errors) && b.errors.length) parts.push(issuesList(b.errors, "error", b.errorCount));
    if (b.runId) parts.push(el("p", { class: "muted" }, ["Run ", el("code", {}, idEl(b.runId))]));
  }
  if (b.requestId) parts.push(el("p", { class: "muted" }, ["Request id ", el("code", {}, idEl(b.requestId))]));
  showOutcome(res.status === 409 ? "running" : "fail", title, parts);
}

/** The confirmation before forcing past a hold; its "Apply the changes" button syncs with force (main.ts). */
function confirmApply(held: HeldAnswer): void {
  const t = changeTotals(held.counts);
  ui.dialogText.replaceChildren(
    el("p", { text: "Bakaláři is read again and what it lists is applied, past the safety limits." }),
    holdList(held.holdReasons),
    el("p", {
      text:
        "The held plan would create " +
        number.format(t.created) +
        ", update " +
        number.format(t.updated) +
        " and deactivate " +
        number.format(t.deactivated) +
        " rows. Deactivated rows are kept and come back when Bakaláři lists them again.",
    }),
  );
  ui.dialog.showModal();
  ui.confirmCancel.focus();
}
