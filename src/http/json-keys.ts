/**
 * JSON.parse keeps the last of a repeated key, so {"dryRun":true,"dryRun":false} would
 * quietly mean a real run; another parser (a proxy's, a log's) might take the first. A
 * body whose meaning depends on the parser is refused instead.
 */

/**
 * The first key repeated within one object of a JSON text (compared as decoded strings, so
 * "a" and "\u0061" are the same key), or null when none is, or when the text is not JSON
 * (the body's validator says so then).
 */
export function repeatedKey(text: string): string | null {
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  // The text is valid JSON from here on, so a small scanner suffices: strings are the only
  // tokens that can hold brackets, commas or colons.
  const frames: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{") frames.push({ keys: new Set(), expectKey: true });
    else if (ch === "[") frames.push({ keys: null, expectKey: false });
    else if (ch === "}" || ch === "]") frames.pop();
    else if (ch === ",") {
      const top = frames.at(-1);
      if (top?.keys) top.expectKey = true;
    } else if (ch === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const top = frames.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    }
  }
  return null;
}
