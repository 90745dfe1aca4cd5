/**
 * The page's only style sheet, inlined with the CSP nonce. System fonts only: no
 * web font, no external asset. Statuses carry a symbol and a word besides colour.
 */
export const dashboardStyle = `
:root {
  --text: #1b1f24; --muted: #57606a; --bg: #f6f7f9; --panel: #fff; --line: #d0d7de;
  --accent: #0b5cad; --accent-text: #fff; --danger: #a4221b;
  --ok: #1a6b32; --ok-bg: #e3f3e7; --fail: #a4221b; --fail-bg: #fde8e7;
  --held: #7a4d00; --held-bg: #fff1cc; --dry: #0b4f94; --dry-bg: #e3eefb;
  --idle: #57606a; --idle-bg: #eef0f3;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
  line-height: 1.45; color: var(--text); background: var(--bg);
}
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: .25rem 1rem; padding-top: 1rem; }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.2rem; margin: 0 0 .75rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
[tabindex="-1"]:focus { outline: none; }
section, dialog { background: var(--panel); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 1rem 0; }
#health { margin: 0; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0 .5rem; }
.skip { position: absolute; left: -999px; top: 0; background: var(--panel); padding: .5rem; }
.skip:focus { left: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
label { font-weight: 600; display: block; }
.inline { display: flex; flex-wrap: wrap; gap: .5rem; }
input[type=password] { flex: 1 1 16rem; min-width: 0; font: inherit; padding: .55rem .6rem; border: 1px solid var(--muted); border-radius: .35rem; }
button { font: inherit; min-height: 2.75rem; padding: .5rem 1rem; border-radius: .35rem; border: 1px solid var(--muted); background: var(--panel); color: var(--text); cursor: pointer; }
button:hover { background: var(--idle-bg); }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
button[aria-disabled=true] { opacity: .6; cursor: progress; }
.buttons { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
.alert:empty { display: none; }
.alert { border: 2px solid var(--fail); background: var(--fail-bg); color: var(--text); border-radius: .5rem; padding: .75rem 1rem; margin: 1rem 0; font-weight: 600; }
.alert::before { content: "Problem: "; }
#outcome:empty { display: none; }
#outcome { margin-top: 1rem; }
.result { border-left: .4rem solid var(--idle); padding: .25rem 0 .25rem 1rem; }
.result-ok { border-color: var(--ok); }
.result-dry_run { border-color: var(--dry); }
.result-held { border-color: var(--held); }
.result-fail { border-color: var(--fail); }
.result p { margin: .25rem 0 .5rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
table.counts { width: auto; min-width: 60%; font-variant-numeric: tabular-nums; }
table.counts td { text-align: right; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; border: 1px solid currentColor; font-weight: 600; white-space: nowrap; }
.badge-ok { color: var(--ok); background: var(--ok-bg); }
.badge-fail, .badge-failing, .badge-stale { color: var(--fail); background: var(--fail-bg); }
.badge-held { color: var(--held); background: var(--held-bg); }
.badge-dry_run, .badge-never { color: var(--dry); background: var(--dry-bg); }
.badge-skipped, .badge-running, .badge-unknown { color: var(--idle); background: var(--idle-bg); }
ul.compact { margin: .25rem 0; padding-left: 1.25rem; }
.changes div { white-space: normal; }
.muted { color: var(--muted); }
details summary { cursor: pointer; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
.chart > svg { width: 100%; height: auto; display: block; }
.chart text { font-size: 12px; fill: var(--muted); }
.chart .axis { stroke: var(--line); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: .5rem 0 0; font-size: .9rem; }
.legend svg { width: 1rem; height: 1rem; vertical-align: -.15rem; margin-right: .3rem; border: 1px solid var(--line); }
dialog { max-width: min(32rem, calc(100vw - 2rem)); margin: auto; color: var(--text); }
dialog::backdrop { background: rgb(0 0 0 / .45); }
/*
 * Ids keep their spaces visible: " 6" and "6" are different classes. Each id is isolated
 * (<bdi>) so that right-to-left text in it cannot reorder what is around it, and its
 * spaces are shown as "·" (displayId).
 */
bdi.id { white-space: pre-wrap; unicode-bidi: isolate; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.coverage-block { margin: .5rem 0; }
@media (max-width: 40rem) {
  header, main { padding: 0 .5rem; }
  section { padding: .75rem; }
  .buttons button { flex: 1 1 45%; }
  table.runs thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.runs, table.runs tbody, table.runs tr, table.runs td { display: block; width: 100%; }
  table.runs tr { border: 1px solid var(--line); border-radius: .4rem; margin-bottom: .75rem; padding: .25rem .5rem; }
  table.runs td { border: 0; padding: .2rem 0; display: grid; grid-template-columns: 7.5rem 1fr; gap: .5rem; }
  table.runs td::before { content: attr(data-label); font-weight: 600; color: var(--muted); }
  table.runs td > * { justify-self: start; }
  table.counts { min-width: 0; width: 100%; }
  table.counts thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.counts tbody tr { display: flex; flex-wrap: wrap; gap: 0 1rem; border-bottom: 1px solid var(--line); padding: .3rem 0; }
  table.counts tbody th { flex: 1 0 100%; border: 0; padding: 0; }
  table.counts tbody td { border: 0; padding: 0; text-align: left; }
  table.counts tbody td::before { content: attr(data-label) " "; color: var(--muted); }
}
`;
