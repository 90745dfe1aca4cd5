/**
 * The dashboard's client script: plain JavaScript in a string, inlined with the CSP
 * nonce (no build step, nothing loaded from elsewhere). It talks to the JSON API with
 * the operator token from sessionStorage and builds every node with textContent or
 * attributes: data from the API never reaches innerHTML.
 *
 * Kept free of backticks and "${" so it can live in this String.raw literal.
 *
 * Text from Bakaláři (ids, and messages quoting them) is shown through displayText and
 * displayId (src/display.ts), passed in by their source text: control and format
 * characters become visible escapes, and each id sits in a <bdi> of its own.
 */
import { displayId, displayText } from "../../display";

export const dashboardScript =
  String.raw`
"use strict";
(function (displayText, displayId) {
  var TOKEN_KEY = "bakalari-sync.operator-token";
  var PAGE_SIZE = 20;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var TYPES = ["classes", "subjects", "users", "enrollments"];
  var KINDS = ["created", "updated", "unchanged", "deactivated", "reactivated"];
  var CHANGE_KINDS = ["created", "updated", "deactivated", "reactivated"];
  var STATUS = {
    ok: ["\u2713", "OK"],
    fail: ["\u2717", "Failed"],
    held: ["!", "Held"],
    dry_run: ["\u25C7", "Dry run"],
    skipped: ["\u21B7", "Skipped"],
    running: ["\u2026", "Running"]
  };
  var HEALTH = {
    ok: ["\u2713", "OK", "the last run succeeded"],
    never: ["\u25C7", "No run yet", "nothing has synced yet"],
    stale: ["\u2717", "Stale", "no successful run for 45 minutes"],
    failing: ["\u2717", "Failing", "the last run failed"],
    held: ["!", "Held", "the last run waits for review"]
  };
  // Colour and a fill pattern per series, so charts read without colour too.
  var RUN_STYLE = {
    ok: { color: "#0b5cad", pattern: "solid", label: "OK" },
    dry_run: { color: "#0b4f94", pattern: "dots", label: "Dry run" },
    held: { color: "#7a4d00", pattern: "stripes", label: "Held" },
    fail: { color: "#a4221b", pattern: "cross", label: "Failed" }
  };
  var CHANGE_STYLE = {
    created: { color: "#0b5cad", pattern: "solid", label: "Created" },
    updated: { color: "#2f7d8c", pattern: "stripes", label: "Updated" },
    deactivated: { color: "#a4221b", pattern: "cross", label: "Deactivated" },
    reactivated: { color: "#1a6b32", pattern: "dots", label: "Reactivated" }
  };

  function byId(id) { return document.getElementById(id); }
  var ui = {
    health: byId("health"),
    message: byId("message"),
    signin: byId("signin"),
    form: byId("token-form"),
    input: byId("token"),
    console: byId("console"),
    actionsTitle: byId("actions-title"),
    syncNow: byId("sync-now"),
    preview: byId("preview"),
    refresh: byId("refresh"),
    signOut: byId("sign-out"),
    outcome: byId("outcome"),
    durations: byId("chart-durations"),
    changes: byId("chart-changes"),
    runsEmpty: byId("runs-empty"),
    runsTable: byId("runs-table"),
    runsBody: byId("runs-body"),
    more: byId("more-runs"),
    dialog: byId("confirm"),
    dialogText: byId("confirm-text"),
    confirmApply: byId("confirm-apply"),
    confirmCancel: byId("confirm-cancel")
  };
  var runs = [];
  var busy = false;

  // ---- building nodes (text only, never HTML) ----

  function el(tag, attrs, children) {
    return fill(document.createElement(tag), attrs, children);
  }
  function svg(tag, attrs, children) {
    return fill(document.createElementNS(SVG_NS, tag), attrs, children);
  }
  function fill(node, attrs, children) {
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    [].concat(children === undefined ? [] : children).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
    });
    return node;
  }

  // ---- formatting ----

  var dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
  var shortTime = new Intl.DateTimeFormat(undefined, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  var number = new Intl.NumberFormat();

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
  }
  function timeEl(iso) {
    return el("time", { datetime: iso, text: when(iso) });
  }
  /** An id from the API: isolated from the text around it, its spaces and invisible characters shown. */
  function idEl(id) {
    return el("bdi", { class: "id", text: displayId(String(id)) });
  }
  function textOf(value) {
    return displayText(String(value === undefined || value === null ? "" : value));
  }
  function duration(ms) {
    if (typeof ms !== "number") return "\u2014";
    if (ms < 1000) return ms + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
    return Math.floor(ms / 60000) + " min " + Math.round((ms % 60000) / 1000) + " s";
  }
  function plural(n, one, many) {
    return number.format(n) + " " + (n === 1 ? one : many);
  }
  function statusBadge(status) {
    var s = STATUS[status] || ["?", String(status)];
    return el("span", { class: "badge badge-" + (STATUS[status] ? status : "unknown") }, [
      el("span", { "aria-hidden": "true", text: s[0] + " " }),
      s[1]
    ]);
  }
  function holdText(r) {
    var verb = r.kind === "deactivate" ? "deactivate" : "update";
    var pct = function (x) { return Math.round(Number(x) * 100) + "%"; };
    return "Would " + verb + " " + number.format(r.count) + " of " + number.format(r.activeBefore) + " active " + textOf(r.type) +
      " (" + pct(r.ratio) + "; the limit is " + pct(r.limit) + ")";
  }
  function changeTotals(counts) {
    var totals = { created: 0, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0 };
    TYPES.forEach(function (t) {
      var c = counts && counts[t];
      if (c) KINDS.forEach(function (k) { totals[k] += Number(c[k]) || 0; });
    });
    return totals;
  }

  // ---- talking to the API ----

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }
  function keepToken(value) {
    try { sessionStorage.setItem(TOKEN_KEY, value); return true; } catch (e) { return false; }
  }
  function forgetToken() {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage off: nothing kept */ }
  }

  async function call(method, path, body) {
    var headers = { accept: "application/json" };
    var t = token();
    if (t) headers.authorization = "Bearer " + t;
    var init = { method: method, headers: headers, cache: "no-store", credentials: "omit" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      return { status: 0, body: null, retryAfter: null };
    }
    var json = null;
    try { json = await res.json(); } catch (e) { json = null; }
    return { status: res.status, body: json, retryAfter: res.headers.get("retry-after") };
  }

  function describeProblem(res, what) {
    var b = res.body || {};
    var text = what + ": " + (b.message ? textOf(b.message) : ("the Worker answered HTTP " + res.status));
    if (b.code) text += " (" + textOf(b.code) + ")";
    if (b.requestId) text += ". Request id " + displayId(String(b.requestId)) + ".";
    return text;
  }

  function say(text) {
    ui.message.textContent = text;
  }
  function clearMessage() {
    ui.message.textContent = "";
  }

  /** Handles the answers every authenticated call may get; true when handled. */
  function refused(res) {
    if (res.status === 401) {
      forgetToken();
      showSignIn();
      say("The operator token was not accepted (401 Unauthorized). Check it and enter it again.");
      ui.input.focus();
      return true;
    }
    if (res.status === 429) {
      var wait = Number(res.retryAfter);
      if (ui.console.hidden) showSignIn();
      say("Too many failed sign-ins from this network (429 Too Many Requests). Wait " +
        (wait > 0 ? plural(wait, "second", "seconds") : "a minute") + " and try again.");
      return true;
    }
    if (res.status === 0) {
      say("The Worker could not be reached. Check the connection and try again.");
      return true;
    }
    return false;
  }

  // ---- views ----

  function showSignIn() {
    runs = [];
    ui.console.hidden = true;
    ui.signin.hidden = false;
    ui.outcome.replaceChildren();
  }
  function showConsole() {
    ui.signin.hidden = true;
    ui.console.hidden = false;
  }

  async function loadHealth() {
    var res = await call("GET", "/health");
    var b = res.body;
    if (b && HEALTH[b.status]) {
      var h = HEALTH[b.status];
      var parts = ["Health: ", el("span", { class: "badge badge-" + b.status }, [el("span", { "aria-hidden": "true", text: h[0] + " " }), h[1]]), " (" + h[2] + ")"];
      if (b.lastSuccessAt) parts.push(". Last success ", timeEl(b.lastSuccessAt));
      if (b.rosterCoverage) parts.push(". Rosters read for " + number.format(b.rosterCoverage.classesRead) + " of " + plural(b.rosterCoverage.classes, "class", "classes"));
      ui.health.replaceChildren.apply(ui.health, parts);
    } else {
      ui.health.textContent = "Health: unknown (" + (b && b.code ? textOf(b.code) : "HTTP " + res.status) + ")";
    }
  }

  async function loadRuns(older) {
    var query = "?limit=" + PAGE_SIZE;
    if (older && runs.length) query += "&before=" + encodeURIComponent(runs[runs.length - 1].runId);
    var res = await call("GET", "/api/sync/run-records" + query);
    if (refused(res)) return false;
    if (res.status !== 200 || !res.body || !Array.isArray(res.body.runs)) {
      say(describeProblem(res, "The runs could not be loaded"));
      return false;
    }
    runs = older ? runs.concat(res.body.runs) : res.body.runs;
    ui.more.hidden = res.body.runs.length < PAGE_SIZE;
    showConsole();
    renderRuns();
    renderCharts();
    return true;
  }

  function countsTable(counts, caption) {
    var head = el("tr", {}, [el("th", { scope: "col", text: "Type" })].concat(KINDS.map(function (k) {
      return el("th", { scope: "col", text: k.charAt(0).toUpperCase() + k.slice(1) });
    })));
    var rows = TYPES.map(function (t) {
      var c = (counts && counts[t]) || {};
      return el("tr", {}, [el("th", { scope: "row", text: t })].concat(KINDS.map(function (k) {
        return el("td", { "data-label": k.charAt(0).toUpperCase() + k.slice(1), text: number.format(Number(c[k]) || 0) });
      })));
    });
    var table = el("table", { class: "counts" }, [el("caption", { text: caption }), el("thead", {}, head), el("tbody", {}, rows)]);
    return el("div", { class: "scroll", role: "region", "aria-label": caption, tabindex: "0" }, table);
  }

  /** Warnings or errors: the first 20 of those the run kept; total counts every one (a run keeps at most 200). */
  function issueItems(items, total) {
    var shown = items.slice(0, 20).map(function (w) {
      var parts = [el("code", { text: textOf(w.code) }), ": " + textOf(w.message)];
      if (w.externalId !== undefined && w.externalId !== null) parts.push(" (id ", idEl(w.externalId), ")");
      return el("li", {}, parts);
    });
    if (total > shown.length) shown.push(el("li", { class: "muted", text: "and " + plural(total - shown.length, "more", "more") }));
    return el("ul", { class: "compact" }, shown);
  }
  function issuesList(items, noun, total) {
    var n = typeof total === "number" ? total : (items || []).length;
    if (!n) return null;
    return el("details", {}, [el("summary", { text: plural(n, noun, noun + "s") }), issueItems(items || [], n)]);
  }
  /** Counts by code, most frequent first: { BAKALARI_RECORD_INVALID: 60000, … }. */
  function countsByCode(counts) {
    var codes = Object.keys(counts || {}).sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); });
    return el("ul", { class: "compact codes" }, codes.map(function (code) {
      return el("li", {}, [el("code", { text: textOf(code) }), ": " + number.format(Number(counts[code]) || 0)]);
    }));
  }
  /** A run's warnings in the runs list: their count by code; the warnings themselves are asked for when opened. */
  function runWarnings(run) {
    var n = typeof run.warningCount === "number" ? run.warningCount : 0;
    if (!n) return null;
    var loaded = el("div", { class: "run-warnings" });
    var details = el("details", { class: "warnings" }, [el("summary", { text: plural(n, "warning", "warnings") }), countsByCode(run.warningCounts), loaded]);
    details.addEventListener("toggle", function () {
      if (details.open && !loaded.hasChildNodes()) loadWarnings(run.runId, loaded);
    });
    return details;
  }
  async function loadWarnings(runId, into) {
    into.replaceChildren(el("p", { class: "muted", text: "Loading…" }));
    var res = await call("GET", "/api/sync/runs/" + encodeURIComponent(runId));
    if (refused(res)) return;
    var run = res.body && res.body.run;
    if (res.status !== 200 || !run) {
      into.replaceChildren(el("p", { text: describeProblem(res, "The warnings could not be loaded") }));
      return;
    }
    var kept = run.warnings || [];
    into.replaceChildren(
      el("p", { class: "muted", text: kept.length < run.warningCount
        ? "The run kept the first " + plural(kept.length, "warning", "warnings") + " of each kind in full and counted the rest:"
        : "The warnings:" }),
      issueItems(kept, kept.length)
    );
  }

  var REASONS = {
    holidays: "no lesson in the class book window (holidays?)",
    account_scope: "the account may not read the class book",
    no_group_known: "no group known to this account",
    not_in_classbook: "not in the account's class book",
    no_lesson: "a group had no lesson in the window",
    request_failed: "a roster request failed",
    no_whole_class_group: "only split groups visible, not the whole class",
    invalid_record: "a group record was invalid"
  };

  /** "Rosters read for 1 of 3 classes", and which classes are exempt and why (ids, never names). */
  function coverageSummary(cov) {
    if (!cov || !cov.rosters) return null;
    var r = cov.rosters, cat = cov.catalog || {};
    var line = "Rosters read for " + number.format(r.classesRead) + " of " + plural(r.classes, "class", "classes") +
      " (" + number.format(r.groupsRead) + " of " + plural(r.groups, "group", "groups") + " read now" +
      (r.groupsReused ? ", " + number.format(r.groupsReused) + " reused from earlier reads" : "") + ")";
    var source = "Catalog: " + plural(cat.classes, "class", "classes") + ", " + plural(cat.teachers, "teacher", "teachers") + ", " +
      plural(cat.subjects, "subject", "subjects") + "; account type " + (cov.account && cov.account.type ? textOf(cov.account.type) : "unknown") +
      "; public timetable " + (cat.publicTimetable || "off");
    var parts = [el("p", { class: "coverage", text: line + ". " + source + "." })];
    var exempt = r.exempt || [];
    var exemptCount = typeof r.classesExempt === "number" ? r.classesExempt : exempt.length;
    if (exemptCount) {
      var byReason = {};
      exempt.forEach(function (e) { (byReason[e.reason] = byReason[e.reason] || []).push(e.classId); });
      var items = Object.keys(byReason).map(function (reason) {
        var ids = byReason[reason];
        return el("li", {}, [(REASONS[reason] || reason) + ": " + plural(ids.length, "class", "classes") + " "].concat(
          ids.slice(0, 20).flatMap(function (id, i) { return i === 0 ? [idEl(id)] : [", ", idEl(id)]; })));
      });
      // A run lists at most 200 exempt classes by id; the count is of all of them.
      if (exemptCount > exempt.length) items.push(el("li", { class: "muted", text: "and " + plural(exemptCount - exempt.length, "more class", "more classes") + " not listed" }));
      parts.push(el("details", {}, [el("summary", { text: plural(exemptCount, "class", "classes") + " exempt: their pupils are left as they are" }), el("ul", { class: "compact" }, items)]));
    }
    return el("div", { class: "coverage-block" }, parts);
  }

  function runMeta(b) {
    var parts = ["Run ", el("code", {}, idEl(b.runId))];
    if (typeof b.durationMs === "number") parts.push(", took " + duration(b.durationMs));
    if (b.completedAt) parts.push(", finished ", timeEl(b.completedAt));
    return el("p", { class: "muted" }, parts);
  }

  function showOutcome(kind, title, parts) {
    var id = "outcome-title";
    var lost = !document.activeElement || document.activeElement === document.body || ui.outcome.contains(document.activeElement);
    var heading = el("h3", { id: id, tabindex: "-1", text: title });
    ui.outcome.replaceChildren(el("article", { class: "result result-" + kind, "aria-labelledby": id }, [heading].concat(parts)));
    // The focused control (such as "Apply anyway") may just have been replaced: continue from the result.
    if (lost) heading.focus();
  }

  function renderResult(action, b) {
    if (b.status === "dry_run") {
      var parts = [runMeta(b), el("p", { text: "This is what a sync would change now." })];
      if (b.wouldHold) {
        parts.push(el("p", { text: "A real sync would be held for review:" }));
        parts.push(el("ul", { class: "compact" }, (b.holdReasons || []).map(function (r) { return el("li", { text: holdText(r) }); })));
      }
      parts.push(coverageSummary(b.coverage), countsTable(b.counts, "What a sync would change"), issuesList(b.warnings, "warning", b.warningCount));
      showOutcome("dry_run", "Preview (dry run): nothing was written", parts);
      return;
    }
    showOutcome("ok", action === "force" ? "Applied past the hold: OK" : "Sync finished: OK", [
      runMeta(b),
      coverageSummary(b.coverage),
      countsTable(b.counts, "What the sync changed"),
      issuesList(b.warnings, "warning", b.warningCount)
    ]);
  }

  function renderHeld(b) {
    var apply = el("button", { type: "button", class: "danger", id: "apply-anyway", text: "Apply anyway\u2026" });
    apply.addEventListener("click", function () { confirmApply(b); });
    showOutcome("held", "Held for review: nothing was written", [
      el("p", { text: "The plan looks like a broken feed, so the safety guard held it:" }),
      el("ul", { class: "compact", id: "hold-reasons" }, (b.holdReasons || []).map(function (r) { return el("li", { text: holdText(r) }); })),
      coverageSummary(b.coverage),
      countsTable(b.counts, "What the held run would change"),
      issuesList(b.warnings, "warning", b.warningCount),
      el("p", { text: "If the change is real (for example classes that really left), apply it." }),
      el("div", { class: "buttons" }, apply),
      el("p", { class: "muted" }, ["Run ", el("code", {}, idEl(b.runId))])
    ]);
  }

  function renderFailure(res) {
    var b = res.body || {};
    var title = res.status === 409 ? "Another run is in progress" : "Sync failed" + (b.code ? ": " + textOf(b.code) : " (HTTP " + res.status + ")");
    var parts = [];
    if (res.status === 409) {
      parts.push(el("p", {}, ["Run ", el("code", {}, idEl(b.runningRunId || "unknown")), " holds the lease. Try again when it has finished."]));
    } else {
      parts.push(el("p", { text: b.message ? textOf(b.message) : "The Worker answered HTTP " + res.status + "." }));
      if (Array.isArray(b.errors) && b.errors.length) parts.push(issuesList(b.errors, "error", b.errorCount));
      if (b.runId) parts.push(el("p", { class: "muted" }, ["Run ", el("code", {}, idEl(b.runId))]));
    }
    if (b.requestId) parts.push(el("p", { class: "muted" }, ["Request id ", el("code", {}, idEl(b.requestId))]));
    showOutcome(res.status === 409 ? "running" : "fail", title, parts);
  }

  function setBusy(on, label) {
    busy = on;
    // aria-disabled, not disabled: a disabled button loses the keyboard focus.
    [ui.syncNow, ui.preview, ui.refresh, ui.more].forEach(function (b) { b.setAttribute("aria-disabled", on ? "true" : "false"); });
    ui.outcome.setAttribute("aria-busy", on ? "true" : "false");
    if (on) ui.outcome.replaceChildren(el("p", { class: "result", text: label }));
  }

  async function sync(action) {
    if (busy) return;
    clearMessage();
    setBusy(true, action === "preview" ? "Previewing (dry run)\u2026" : action === "force" ? "Applying the held run\u2026" : "Syncing\u2026");
    var body = action === "preview" ? { dryRun: true } : action === "force" ? { force: true } : {};
    var res = await call("POST", "/api/sync/bakalari", body);
    setBusy(false);
    if (refused(res)) {
      ui.outcome.replaceChildren();
      return;
    }
    if (res.status === 200 && res.body && res.body.success) renderResult(action, res.body);
    else if (res.status === 422 && res.body && res.body.code === "SAFETY_HOLD") renderHeld(res.body);
    else renderFailure(res);
    await Promise.all([loadRuns(false), loadHealth()]);
  }

  // ---- the confirmation before forcing past a hold ----

  function confirmApply(held) {
    var t = changeTotals(held.counts);
    ui.dialogText.replaceChildren(
      el("p", { text: "Bakaláři is read again and what it lists is applied, past the safety limits." }),
      el("ul", { class: "compact" }, (held.holdReasons || []).map(function (r) { return el("li", { text: holdText(r) }); })),
      el("p", { text: "The held plan would create " + number.format(t.created) + ", update " + number.format(t.updated) +
        " and deactivate " + number.format(t.deactivated) + " rows. Deactivated rows are kept and come back when Bakaláři lists them again." })
    );
    ui.dialog.showModal();
    ui.confirmCancel.focus();
  }

  // ---- runs table ----

  function changesCell(run) {
    if (!run.counts) return [el("span", { class: "muted", text: "\u2014" })];
    var lines = [];
    TYPES.forEach(function (t) {
      var c = run.counts[t];
      if (!c) return;
      var bits = CHANGE_KINDS.filter(function (k) { return Number(c[k]) > 0; }).map(function (k) { return number.format(c[k]) + " " + k; });
      if (bits.length) lines.push(el("div", { text: t + ": " + bits.join(", ") }));
    });
    if (lines.length === 0) lines.push(el("div", { text: "No changes" }));
    if (run.status !== "ok") lines.unshift(el("div", { class: "muted", text: "Not applied:" }));
    return lines;
  }

  function coverageLine(cov) {
    if (!cov || !cov.rosters) return null;
    return el("div", { class: "muted", text: "rosters: " + number.format(cov.rosters.classesRead) + " of " + plural(cov.rosters.classes, "class", "classes") });
  }

  function renderRuns() {
    ui.runsEmpty.hidden = runs.length > 0;
    ui.runsTable.hidden = runs.length === 0;
    ui.runsBody.replaceChildren.apply(ui.runsBody, runs.map(function (run) {
      var issues = [issuesList(run.errors, "error", run.errorCount), runWarnings(run)].filter(Boolean);
      var trigger = run.trigger === "cron" ? ["Cron"] : run.operator ? ["Manual (", idEl(run.operator), ")"] : ["Manual"];
      return el("tr", { "data-run-id": run.runId, "data-status": run.status }, [
        el("td", { "data-label": "Started" }, timeEl(run.startedAt)),
        el("td", { "data-label": "Trigger" }, trigger),
        el("td", { "data-label": "Status" }, statusBadge(run.status)),
        el("td", { "data-label": "Duration", text: duration(run.durationMs) }),
        el("td", { "data-label": "Changes", class: "changes" }, [el("div", {}, changesCell(run)), coverageLine(run.coverage)]),
        el("td", { "data-label": "Warnings and errors" }, issues.length ? issues : el("span", { class: "muted", text: "None" }))
      ]);
    }));
  }

  // ---- charts: inline SVG, drawn from the loaded runs ----

  var H = 200, PAD = { left: 52, right: 8, top: 12, bottom: 28 };

  /** The axis top: the smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that holds max. */
  function niceMax(max) {
    if (!(max > 0)) return 1;
    var power = Math.pow(10, Math.floor(Math.log10(max)));
    var steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
    for (var i = 0; i < steps.length; i += 1) if (steps[i] * power >= max) return steps[i] * power;
    return 10 * power;
  }

  function patternFill(defs, id, style) {
    if (style.pattern === "solid") return style.color;
    var shapes = [svg("rect", { width: 6, height: 6, fill: style.color, "fill-opacity": "0.25" })];
    if (style.pattern === "stripes") shapes.push(svg("rect", { width: 2.5, height: 6, fill: style.color }));
    if (style.pattern === "dots") shapes.push(svg("circle", { cx: 3, cy: 3, r: 1.7, fill: style.color }));
    if (style.pattern === "cross") {
      shapes.push(svg("rect", { width: 6, height: 1.6, fill: style.color }), svg("rect", { width: 1.6, height: 6, fill: style.color }));
    }
    var transform = style.pattern === "dots" ? null : "rotate(45)";
    defs.append(svg("pattern", { id: id, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: transform }, shapes));
    return "url(#" + id + ")";
  }

  function legend(prefix, styles, keys) {
    return el("ul", { class: "legend" }, keys.map(function (k) {
      var defs = svg("defs");
      var fillRef = patternFill(defs, prefix + "-legend-" + k, styles[k]);
      var swatch = svg("svg", { viewBox: "0 0 12 12", "aria-hidden": "true", focusable: "false" }, [defs, svg("rect", { width: 12, height: 12, fill: fillRef })]);
      return el("li", {}, [swatch, styles[k].label]);
    }));
  }

  /** A bar chart of stacked series; points are oldest first. */
  function barChart(prefix, width, points, series, styles, format, title, desc) {
    var W = width;
    var max = 0;
    points.forEach(function (p) {
      var sum = series.reduce(function (s, k) { return s + (p.values[k] || 0); }, 0);
      if (sum > max) max = sum;
    });
    max = niceMax(max);
    var plotW = W - PAD.left - PAD.right, plotH = H - PAD.top - PAD.bottom;
    var slot = plotW / Math.max(points.length, 1);
    var barW = Math.max(2, Math.min(40, slot * 0.7));
    var defs = svg("defs");
    var fills = {};
    series.forEach(function (k) { fills[k] = patternFill(defs, prefix + "-fill-" + k, styles[k]); });
    var titleId = prefix + "-title", descId = prefix + "-desc";
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": titleId + " " + descId, focusable: "false" }, [
      svg("title", { id: titleId, text: title }),
      svg("desc", { id: descId, text: desc }),
      defs
    ]);
    [0, 0.5, 1].forEach(function (f) {
      var y = PAD.top + plotH * (1 - f);
      root.append(svg("line", { class: "axis", x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }));
      root.append(svg("text", { x: PAD.left - 6, y: y + 4, "text-anchor": "end", text: format(max * f) }));
    });
    points.forEach(function (p, i) {
      var x = PAD.left + slot * i + (slot - barW) / 2;
      var y = PAD.top + plotH;
      var group = svg("g", {}, svg("title", { text: p.label }));
      // A run with nothing to show still gets a mark on the axis, so that it is seen to have happened.
      if (series.every(function (k) { return !(p.values[k] > 0); })) {
        group.append(svg("rect", { class: "zero", x: x.toFixed(1), y: (y - 2).toFixed(1), width: barW.toFixed(1), height: 2, fill: "#57606a" }));
      }
      series.forEach(function (k) {
        var v = p.values[k] || 0;
        if (v <= 0) return;
        var h = Math.max(1, (v / max) * plotH);
        y -= h;
        group.append(svg("rect", { x: x.toFixed(1), y: y.toFixed(1), width: barW.toFixed(1), height: h.toFixed(1), fill: fills[k], stroke: styles[k].color, "stroke-width": "0.5" }));
      });
      root.append(group);
    });
    if (points.length) {
      root.append(svg("text", { x: PAD.left, y: H - 8, "text-anchor": "start", text: points[0].when }));
      if (points.length > 1) root.append(svg("text", { x: W - PAD.right, y: H - 8, "text-anchor": "end", text: points[points.length - 1].when }));
    }
    return root;
  }

  function shortWhen(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "" : shortTime.format(d);
  }

  /** Drawn at the size they are shown, so that their text stays at the page's size on a phone too. */
  function chartWidth(container) {
    return Math.max(260, Math.round(container.clientWidth || 560));
  }

  function renderCharts() {
    if (ui.console.hidden) return;
    var chrono = runs.slice().reverse();
    var timed = chrono.filter(function (r) { return typeof r.durationMs === "number" && RUN_STYLE[r.status]; });
    if (timed.length === 0) {
      ui.durations.replaceChildren(el("p", { class: "muted", text: "No finished run yet." }));
    } else {
      var longest = Math.max.apply(null, timed.map(function (r) { return r.durationMs; }));
      var latest = timed[timed.length - 1];
      var statuses = Object.keys(RUN_STYLE).filter(function (s) { return timed.some(function (r) { return r.status === s; }); });
      var points = timed.map(function (r) {
        var values = {};
        values[r.status] = r.durationMs;
        return { values: values, when: shortWhen(r.startedAt), label: when(r.startedAt) + ": " + RUN_STYLE[r.status].label + ", " + duration(r.durationMs) };
      });
      ui.durations.replaceChildren(
        barChart("durations", chartWidth(ui.durations), points, statuses, RUN_STYLE, function (v) { return duration(Math.round(v)); },
          "Run durations",
          plural(timed.length, "finished run", "finished runs") + " from " + when(timed[0].startedAt) + " to " + when(latest.startedAt) +
            "; the longest took " + duration(longest) + ", the latest " + duration(latest.durationMs) + "."),
        legend("durations", RUN_STYLE, statuses)
      );
    }

    var applied = chrono.filter(function (r) { return r.status === "ok" && r.counts; });
    if (applied.length === 0) {
      ui.changes.replaceChildren(el("p", { class: "muted", text: "No applied run yet." }));
      return;
    }
    var changePoints = applied.map(function (r) {
      var t = changeTotals(r.counts);
      var values = {};
      CHANGE_KINDS.forEach(function (k) { values[k] = t[k]; });
      return {
        values: values,
        when: shortWhen(r.startedAt),
        label: when(r.startedAt) + ": " + CHANGE_KINDS.map(function (k) { return number.format(t[k]) + " " + k; }).join(", ")
      };
    });
    var last = changePoints[changePoints.length - 1];
    ui.changes.replaceChildren(
      barChart("changes", chartWidth(ui.changes), changePoints, CHANGE_KINDS, CHANGE_STYLE, function (v) { return number.format(Math.round(v)); },
        "Rows changed per applied run",
        plural(applied.length, "applied run", "applied runs") + " from " + when(applied[0].startedAt) + " to " + when(applied[applied.length - 1].startedAt) +
          ". Latest: " + last.label.split(": ").slice(1).join(": ") + "."),
      legend("changes", CHANGE_STYLE, CHANGE_KINDS)
    );
  }

  // ---- wiring ----

  ui.form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var value = ui.input.value.trim();
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
  ui.syncNow.addEventListener("click", function () { sync("sync"); });
  ui.preview.addEventListener("click", function () { sync("preview"); });
  ui.refresh.addEventListener("click", async function () {
    if (busy) return;
    clearMessage();
    await Promise.all([loadRuns(false), loadHealth()]);
  });
  ui.more.addEventListener("click", function () { if (!busy) loadRuns(true); });
  ui.signOut.addEventListener("click", function () {
    forgetToken();
    clearMessage();
    showSignIn();
    ui.input.focus();
  });
  ui.confirmCancel.addEventListener("click", function () { ui.dialog.close(); });
  ui.confirmApply.addEventListener("click", function () {
    ui.dialog.close();
    sync("force");
  });

  var resizing = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(renderCharts);
  });

  loadHealth();
  if (token()) loadRuns(false);
  else showSignIn();
})` +
  `(${displayText.toString()}, ${displayId.toString()});
`;
