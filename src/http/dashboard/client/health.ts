/**
 * The health line in the page's header, from GET /health (no token needed).
 */
import { type HealthStatus, STALE_AFTER_MS } from "../../../sync/health";
import { call, type HealthAnswer } from "./api";
import { el, timeEl } from "./dom";
import { lookup, number, plural, textOf } from "./figures";
import { ui } from "./ui";

/** A symbol, a word and what it means, per status of src/sync/health.ts. */
const HEALTH: Record<HealthStatus, [symbol: string, label: string, meaning: string]> = {
  ok: ["\u2713", "OK", "the last run succeeded"],
  never: ["\u25C7", "No run yet", "nothing has synced yet"],
  stale: ["\u2717", "Stale", `no successful run for ${STALE_AFTER_MS / 60_000} minutes`],
  failing: ["\u2717", "Failing", "the last run failed"],
  held: ["!", "Held", "the last run waits for review"],
};

export async function loadHealth(): Promise<void> {
  const res = await call<HealthAnswer>("GET", "/health");
  const b = res.body;
  const h = lookup(HEALTH, b?.status);
  if (!b || !h) {
    ui.health.textContent = "Health: unknown (" + (b?.code ? textOf(b.code) : "HTTP " + res.status) + ")";
    return;
  }
  const parts: (Node | string)[] = [
    "Health: ",
    el("span", { class: "badge badge-" + b.status }, [el("span", { "aria-hidden": "true", text: h[0] + " " }), h[1]]),
    " (" + h[2] + ")",
  ];
  if (b.lastSuccessAt) parts.push(". Last success ", timeEl(b.lastSuccessAt));
  if (b.rosterCoverage)
    parts.push(
      ". Rosters read for " + number.format(b.rosterCoverage.classesRead) + " of " + plural(b.rosterCoverage.classes, "class", "classes"),
    );
  ui.health.replaceChildren(...parts);
}
