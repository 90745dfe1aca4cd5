/**
 * The page's elements (page.tsx gives each an id) and what the page shows now.
 * The script runs at the end of <body>, so every element is there.
 */
import { byId } from "./dom";
import type { DashboardRun } from "./figures";

export const ui = {
  health: byId("health", HTMLElement),
  message: byId("message", HTMLElement),
  signin: byId("signin", HTMLElement),
  form: byId("token-form", HTMLFormElement),
  input: byId("token", HTMLInputElement),
  console: byId("console", HTMLElement),
  actionsTitle: byId("actions-title", HTMLElement),
  syncNow: byId("sync-now", HTMLButtonElement),
  preview: byId("preview", HTMLButtonElement),
  refresh: byId("refresh", HTMLButtonElement),
  signOut: byId("sign-out", HTMLButtonElement),
  outcome: byId("outcome", HTMLElement),
  durations: byId("chart-durations", HTMLElement),
  changes: byId("chart-changes", HTMLElement),
  runsEmpty: byId("runs-empty", HTMLElement),
  runsTable: byId("runs-table", HTMLTableElement),
  runsBody: byId("runs-body", HTMLTableSectionElement),
  more: byId("more-runs", HTMLButtonElement),
  dialog: byId("confirm", HTMLDialogElement),
  dialogText: byId("confirm-text", HTMLElement),
  confirmApply: byId("confirm-apply", HTMLButtonElement),
  confirmCancel: byId("confirm-cancel", HTMLButtonElement),
};

export const shown = {
  /** The runs listed, newest first. */
  runs: [] as DashboardRun[],
  /** A sync is under way: the buttons say so and do nothing. */
  busy: false,
};
