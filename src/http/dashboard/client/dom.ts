/**
 * Building the page's nodes: text goes in through textContent, the rest through
 * attributes. Data from the API never reaches innerHTML.
 */
import { displayId } from "../../../display";
import { when } from "./figures";

const SVG_NS = "http://www.w3.org/2000/svg";

/** `text` sets textContent; null, undefined and false leave the attribute out, true sets it empty. */
export type Attrs = Record<string, string | number | boolean | null | undefined>;
export type Child = Node | string | number | null | undefined | false;
export type Children = Child | readonly Child[];

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, children?: Children): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attrs, children);
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, children?: Children): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill<N extends Element>(node: N, attrs: Attrs = {}, children: Children = []): N {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of ([] as Child[]).concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return node;
}

/** An element of the page (page.tsx), checked to be what the script takes it for. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`The page has no ${type.name} #${id}`);
  return node;
}

export function timeEl(iso: string): HTMLTimeElement {
  return el("time", { datetime: iso, text: when(iso) });
}

/** An id from the API: isolated from the text around it, its spaces and invisible characters shown. */
export function idEl(id: unknown): HTMLElement {
  return el("bdi", { class: "id", text: displayId(String(id)) });
}
