/**
 * The charts: inline SVG bar charts drawn from the loaded runs, each with a title and a
 * description for screen readers; the runs table lists the same figures.
 */
import { el, svg } from "./dom";
import {
  CHANGE_KINDS,
  type ChangeKind,
  changePoints,
  duration,
  durationPoints,
  number,
  type Point,
  plural,
  type RunStatus,
  when,
} from "./figures";
import { shown, ui } from "./ui";

/** Colour and a fill pattern per series, so that charts read without colour too. */
type SeriesStyle = { color: string; pattern: "solid" | "dots" | "stripes" | "cross"; label: string };

const RUN_STYLE = {
  ok: { color: "#0b5cad", pattern: "solid", label: "OK" },
  dry_run: { color: "#0b4f94", pattern: "dots", label: "Dry run" },
  held: { color: "#7a4d00", pattern: "stripes", label: "Held" },
  fail: { color: "#a4221b", pattern: "cross", label: "Failed" },
} satisfies Partial<Record<RunStatus, SeriesStyle>>;
type ChartedStatus = keyof typeof RUN_STYLE;

const CHANGE_STYLE: Record<ChangeKind, SeriesStyle> = {
  created: { color: "#0b5cad", pattern: "solid", label: "Created" },
  updated: { color: "#2f7d8c", pattern: "stripes", label: "Updated" },
  deactivated: { color: "#a4221b", pattern: "cross", label: "Deactivated" },
  reactivated: { color: "#1a6b32", pattern: "dots", label: "Reactivated" },
};

const H = 200;
const PAD = { left: 52, right: 8, top: 12, bottom: 28 };

/** The axis top: the smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that holds max. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function patternFill(defs: SVGDefsElement, id: string, style: SeriesStyle): string {
  if (style.pattern === "solid") return style.color;
  const shapes: SVGElement[] = [svg("rect", { width: 6, height: 6, fill: style.color, "fill-opacity": "0.25" })];
  if (style.pattern === "stripes") shapes.push(svg("rect", { width: 2.5, height: 6, fill: style.color }));
  if (style.pattern === "dots") shapes.push(svg("circle", { cx: 3, cy: 3, r: 1.7, fill: style.color }));
  if (style.pattern === "cross") {
    shapes.push(svg("rect", { width: 6, height: 1.6, fill: style.color }), svg("rect", { width: 1.6, height: 6, fill: style.color }));
  }
  const transform = style.pattern === "dots" ? null : "rotate(45)";
  defs.append(svg("pattern", { id, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: transform }, shapes));
  return "url(#" + id + ")";
}

function legend<K extends string>(prefix: string, styles: Record<K, SeriesStyle>, keys: readonly K[]): HTMLElement {
  return el(
    "ul",
    { class: "legend" },
    keys.map((k) => {
      const defs = svg("defs");
      const fillRef = patternFill(defs, prefix + "-legend-" + k, styles[k]);
      const swatch = svg("svg", { viewBox: "0 0 12 12", "aria-hidden": "true", focusable: "false" }, [
        defs,
        svg("rect", { width: 12, height: 12, fill: fillRef }),
      ]);
      return el("li", {}, [swatch, styles[k].label]);
    }),
  );
}

type Chart<K extends string> = {
  prefix: string;
  width: number;
  points: Point<K>[];
  series: readonly K[];
  styles: Record<K, SeriesStyle>;
  format: (value: number) => string;
  title: string;
  desc: string;
};

/** A bar chart of stacked series; points are oldest first. */
function barChart<K extends string>({ prefix, width: W, points, series, styles, format, title, desc }: Chart<K>): SVGSVGElement {
  let max = 0;
  for (const p of points) {
    const sum = series.reduce((s, k) => s + (p.values[k] || 0), 0);
    if (sum > max) max = sum;
  }
  max = niceMax(max);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(points.length, 1);
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const defs = svg("defs");
  const fills = {} as Record<K, string>;
  for (const k of series) fills[k] = patternFill(defs, prefix + "-fill-" + k, styles[k]);
  const titleId = prefix + "-title";
  const descId = prefix + "-desc";
  const root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": titleId + " " + descId, focusable: "false" }, [
    svg("title", { id: titleId, text: title }),
    svg("desc", { id: descId, text: desc }),
    defs,
  ]);
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + plotH * (1 - f);
    root.append(svg("line", { class: "axis", x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }));
    root.append(svg("text", { x: PAD.left - 6, y: y + 4, "text-anchor": "end", text: format(max * f) }));
  }
  points.forEach((p, i) => {
    const x = PAD.left + slot * i + (slot - barW) / 2;
    let y = PAD.top + plotH;
    const group = svg("g", {}, svg("title", { text: p.label }));
    // A run with nothing to show still gets a mark on the axis, so that it is seen to have happened.
    if (series.every((k) => !((p.values[k] ?? 0) > 0))) {
      group.append(
        svg("rect", { class: "zero", x: x.toFixed(1), y: (y - 2).toFixed(1), width: barW.toFixed(1), height: 2, fill: "#57606a" }),
      );
    }
    for (const k of series) {
      const v = p.values[k] || 0;
      if (v <= 0) continue;
      const h = Math.max(1, (v / max) * plotH);
      y -= h;
      group.append(
        svg("rect", {
          x: x.toFixed(1),
          y: y.toFixed(1),
          width: barW.toFixed(1),
          height: h.toFixed(1),
          fill: fills[k],
          stroke: styles[k].color,
          "stroke-width": "0.5",
        }),
      );
    }
    root.append(group);
  });
  const first = points[0];
  const last = points[points.length - 1];
  if (first) root.append(svg("text", { x: PAD.left, y: H - 8, "text-anchor": "start", text: first.when }));
  if (last && points.length > 1) root.append(svg("text", { x: W - PAD.right, y: H - 8, "text-anchor": "end", text: last.when }));
  return root;
}

/** Drawn at the size they are shown, so that their text stays at the page's size on a phone too. */
function chartWidth(container: HTMLElement): number {
  return Math.max(260, Math.round(container.clientWidth || 560));
}

function renderDurations(): void {
  const { timed, points } = durationPoints(shown.runs, RUN_STYLE);
  const first = timed[0];
  const latest = timed[timed.length - 1];
  if (!first || !latest) {
    ui.durations.replaceChildren(el("p", { class: "muted", text: "No finished run yet." }));
    return;
  }
  const longest = Math.max(...timed.map((r) => r.durationMs));
  const statuses = (Object.keys(RUN_STYLE) as ChartedStatus[]).filter((s) => timed.some((r) => r.status === s));
  ui.durations.replaceChildren(
    barChart({
      prefix: "durations",
      width: chartWidth(ui.durations),
      points,
      series: statuses,
      styles: RUN_STYLE,
      format: (v) => duration(Math.round(v)),
      title: "Run durations",
      desc:
        plural(timed.length, "finished run", "finished runs") +
        " from " +
        when(first.startedAt) +
        " to " +
        when(latest.startedAt) +
        "; the longest took " +
        duration(longest) +
        ", the latest " +
        duration(latest.durationMs) +
        ".",
    }),
    legend("durations", RUN_STYLE, statuses),
  );
}

function renderChanges(): void {
  const { applied, points } = changePoints(shown.runs);
  const first = applied[0];
  const latest = applied[applied.length - 1];
  const last = points[points.length - 1];
  if (!first || !latest || !last) {
    ui.changes.replaceChildren(el("p", { class: "muted", text: "No applied run yet." }));
    return;
  }
  ui.changes.replaceChildren(
    barChart({
      prefix: "changes",
      width: chartWidth(ui.changes),
      points,
      series: CHANGE_KINDS,
      styles: CHANGE_STYLE,
      format: (v) => number.format(Math.round(v)),
      title: "Rows changed per applied run",
      desc:
        plural(applied.length, "applied run", "applied runs") +
        " from " +
        when(first.startedAt) +
        " to " +
        when(latest.startedAt) +
        ". Latest: " +
        last.label.split(": ").slice(1).join(": ") +
        ".",
    }),
    legend("changes", CHANGE_STYLE, CHANGE_KINDS),
  );
}

export function renderCharts(): void {
  if (ui.console.hidden) return;
  renderDurations();
  renderChanges();
}
