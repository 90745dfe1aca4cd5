/**
 * The dashboard's script (bundled by ../build.ts, inlined with the page's CSP nonce): asks
 * for the operator token once, then lists the runs, draws the charts and runs syncs through
 * the JSON API.
 */
import { call, describeProblem, keepToken, forgetToken, type RunsAnswer, type SyncAnswer, type SyncReply, token } from "./api";
import { el } from "./dom";
import { renderCharts } from "./charts";
import { loadHealth } from "./health";
import { type Action, renderFailure, renderHeld, renderResult } from "./outcome";
import { renderRuns } from "./runs-table";
import { clearMessage, refused, say, showConsole, showSignIn } from "./session";
import { shown, ui } from "./ui";

const PAGE_SIZE = 20;

/** Loads the newest runs, or with `older` the page after those listed; true when they are shown. */
async function loadRuns(older: boolean): Promise<boolean> {
  let query = "?limit=" + PAGE_SIZE;
  const oldest = shown.runs[shown.runs.length - 1];
  if (older && oldest) query += "&before=" + encodeURIComponent(oldest.runId);
  const res = await call<RunsAnswer>("GET", "/api/sync/runs" + query);
  if (refused(res)) return false;
  const page = res.body?.runs;
  if (res.status !== 200 || !Array.isArray(page)) {
    say(describeProblem(res, "The runs could not be loaded"));
    return false;
  }
  shown.runs = older ? shown.runs.concat(page) : page;
  ui.more.hidden = page.length < PAGE_SIZE;
  showConsole();
  renderRuns();
  renderCharts();
  return true;
}

function setBusy(on: boolean, label?: string): void {
  shown.busy = on;
  // aria-disabled, not disabled: a disabled button loses the keyboard focus.
  for (const b of [ui.syncNow, ui.preview, ui.refresh, ui.more]) b.setAttribute("aria-disabled", on ? "true" : "false");
  ui.outcome.setAttribute("aria-busy", on ? "true" : "false");
  if (on) ui.outcome.replaceChildren(el("p", { class: "result", text: label }));
}

const BUSY_LABEL: Record<Action, string> = {
  sync: "Syncing\u2026",
  preview: "Previewing (dry run)\u2026",
  force: "Applying the held run\u2026",
};
const SYNC_BODY: Record<Action, { dryRun?: true; force?: true }> = { sync: {}, preview: { dryRun: true }, force: { force: true } };

async function sync(action: Action): Promise<void> {
  if (shown.busy) return;
  clearMessage();
  setBusy(true, BUSY_LABEL[action]);
  const res = await call<SyncReply>("POST", "/api/sync/bakalari", SYNC_BODY[action]);
  setBusy(false);
  if (refused(res)) {
    ui.outcome.replaceChildren();
    return;
  }
  const b = res.body;
  if (res.status === 200 && b && (b as Partial<SyncAnswer>).success) renderResult(action, b as SyncAnswer);
  else if (res.status === 422 && b && b.code === "SAFETY_HOLD") renderHeld(b);
  else renderFailure(res);
  await Promise.all([loadRuns(false), loadHealth()]);
}

async function refresh(): Promise<void> {
  await Promise.all([loadRuns(false), loadHealth()]);
}

ui.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = ui.input.value.trim();
  if (!value) {
    say("Enter the operator token.");
    ui.input.focus();
    return;
  }
  if (!keepToken(value)) {
    say("This browser does not allow sessionStorage here, and the dashboard keeps the token nowhere else.");
    return;
  }
  ui.input.value = "";
  clearMessage();
  if (await loadRuns(false)) ui.actionsTitle.focus();
});
ui.syncNow.addEventListener("click", () => void sync("sync"));
ui.preview.addEventListener("click", () => void sync("preview"));
ui.refresh.addEventListener("click", () => {
  if (shown.busy) return;
  clearMessage();
  void refresh();
});
ui.more.addEventListener("click", () => {
  if (!shown.busy) void loadRuns(true);
});
ui.signOut.addEventListener("click", () => {
  forgetToken();
  clearMessage();
  showSignIn();
  ui.input.focus();
});
ui.confirmCancel.addEventListener("click", () => ui.dialog.close());
ui.confirmApply.addEventListener("click", () => {
  ui.dialog.close();
  void sync("force");
});

let resizing = 0;
window.addEventListener("resize", () => {
  cancelAnimationFrame(resizing);
  resizing = requestAnimationFrame(renderCharts);
});

void loadHealth();
if (token()) void loadRuns(false);
else showSignIn();
