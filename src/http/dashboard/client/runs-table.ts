/**
 * The runs table: a row per run, newest first. A run's warnings are listed by their count
 * per code; the warnings themselves are asked for when opened.
 */
import { call, describeProblem, type RunAnswer } from "./api";
import { type Child, el, idEl, timeEl } from "./dom";
import { changeLines, type DashboardRun, duration, lookup, plural, type RunStatus } from "./figures";
import { countsByCode, coverageLine, issueItems, issuesList } from "./report";
import { refused } from "./session";
import { shown, ui } from "./ui";

/** A symbol and a word per status, so that a status reads without its colour. */
const STATUS: Record<RunStatus, [symbol: string, label: string]> = {
  ok: ["\u2713", "OK"],
  fail: ["\u2717", "Failed"],
  held: ["!", "Held"],
  dry_run: ["\u25C7", "Dry run"],
  skipped: ["\u21B7", "Skipped"],
  running: ["\u2026", "Running"],
};

function statusBadge(status: RunStatus): HTMLElement {
  const known = lookup(STATUS, status);
  const [symbol, label] = known || ["?", String(status)];
  return el("span", { class: "badge badge-" + (known ? status : "unknown") }, [
    el("span", { "aria-hidden": "true", text: symbol + " " }),
    label,
  ]);
}

function runWarnings(run: DashboardRun): HTMLElement | null {
  const n = typeof run.warningCount === "number" ? run.warningCount : 0;
  if (!n) return null;
  const loaded = el("div", { class: "run-warnings" });
  const details = el("details", { class: "warnings" }, [
    el("summary", { text: plural(n, "warning", "warnings") }),
    countsByCode(run.warningCounts),
    loaded,
  ]);
  details.addEventListener("toggle", () => {
    if (details.open && !loaded.hasChildNodes()) void loadWarnings(run.runId, loaded);
  });
  return details;
}

async function loadWarnings(runId: string, into: HTMLElement): Promise<void> {
  into.replaceChildren(el("p", { class: "muted", text: "Loading…" }));
  const res = await call<RunAnswer>("GET", "/api/sync/runs/" + encodeURIComponent(runId));
  if (refused(res)) return;
  const run = res.body?.run;
  if (res.status !== 200 || !run) {
    into.replaceChildren(el("p", { text: describeProblem(res, "The warnings could not be loaded") }));
    return;
  }
  const kept = run.warnings || [];
  into.replaceChildren(
    el("p", {
      class: "muted",
      text:
        kept.length < run.warningCount
          ? "The run kept the first " + plural(kept.length, "warning", "warnings") + " of each kind in full and counted the rest:"
          : "The warnings:",
    }),
    issueItems(kept, kept.length),
  );
}

function changesCell(run: DashboardRun): HTMLElement[] {
  const lines = changeLines(run);
  if (!lines) return [el("span", { class: "muted", text: "\u2014" })];
  const cell = lines.map((text) => el("div", { text }));
  if (cell.length === 0) cell.push(el("div", { text: "No changes" }));
  if (run.status !== "ok") cell.unshift(el("div", { class: "muted", text: "Not applied:" }));
  return cell;
}

function runRow(run: DashboardRun): HTMLElement {
  const issues = [issuesList(run.errors, "error", run.errorCount), runWarnings(run)].filter((x) => x !== null);
  const trigger: Child[] = run.trigger === "cron" ? ["Cron"] : run.operator ? ["Manual (", idEl(run.operator), ")"] : ["Manual"];
  return el("tr", { "data-run-id": run.runId, "data-status": run.status }, [
    el("td", { "data-label": "Started" }, timeEl(run.startedAt)),
    el("td", { "data-label": "Trigger" }, trigger),
    el("td", { "data-label": "Status" }, statusBadge(run.status)),
    el("td", { "data-label": "Duration", text: duration(run.durationMs) }),
    el("td", { "data-label": "Changes", class: "changes" }, [el("div", {}, changesCell(run)), coverageLine(run.coverage)]),
    el("td", { "data-label": "Warnings and errors" }, issues.length ? issues : el("span", { class: "muted", text: "None" })),
  ]);
}

export function renderRuns(): void {
  ui.runsEmpty.hidden = shown.runs.length > 0;
  ui.runsTable.hidden = shown.runs.length === 0;
  ui.runsBody.replaceChildren(...shown.runs.map(runRow));
}
