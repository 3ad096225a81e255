// What JSON.parse lets through and the API refuses, found in one linear pass
// over a text JSON.parse has already accepted (so the scan may assume valid
// JSON; it needs no recursion and keeps one small frame per open container):
//   - a key twice in one object ({"title":"a","title":"b"}: JSON.parse keeps
//     the last, another parser the first; which one counts must not depend on
//     the reader). Keys compare decoded: "a" and "\u0061" are the same key.
//   - nesting deeper than MAX_BODY_DEPTH: deep values make recursive code
//     (JSON.stringify, a schema's walk, a log serializer) overflow the stack,
//     which would answer 500 for bad input.
// JSON.parse's reviver cannot do the first (it sees each object after the
// duplicates were merged), hence the scan.

/** Containers (objects and arrays) one request body may nest. */
export const MAX_BODY_DEPTH = 512;

export type JsonShapeIssue = { kind: "duplicate"; key: string; path: string } | { kind: "depth"; path: string };

interface Frame {
  /** An object's keys so far; null for an array. */
  keys: Set<string> | null;
  /** Object: the next string is a key (after `{` or `,`). */
  expectKey: boolean;
  /** Where the value being read sits in this container: its key, or its index. */
  at: string | number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index of the quote closing the string that opens at `start` (a quote). */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length; // not valid JSON: JSON.parse refused it before
    let b = q - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    // An even number of backslashes before it: the quote is not escaped.
    if ((q - 1 - b) % 2 === 0) return q;
    from = q + 1;
  }
}

/** Dotted path of the value being read in the innermost `upTo` frames (as the 422's `errors[].path`). */
function pathOf(stack: readonly Frame[], upTo: number, last?: string): string {
  const parts = stack.slice(0, upTo).map((f) => String(f.at));
  if (last !== undefined) parts.push(last);
  const path = parts.join(".") || "(root)";
  return path.length > 200 ? `${path.slice(0, 197)}...` : path;
}

/** The first duplicate key or too-deep container of a valid JSON text; null when there is none. */
export function jsonShapeIssue(text: string, maxDepth = MAX_BODY_DEPTH): JsonShapeIssue | null {
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const inner = text.slice(i + 1, end);
        // Escapes decoded by the JSON grammar itself ("\u0061" is "a").
        const key = inner.includes("\\") ? (JSON.parse(text.slice(i, end + 1)) as string) : inner;
        if (top.keys.has(key)) return { kind: "duplicate", key, path: pathOf(stack, stack.length - 1, key) };
        top.keys.add(key);
        top.at = key;
        top.expectKey = false;
      }
      i = end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      // { or [
      if (stack.length >= maxDepth) return { kind: "depth", path: pathOf(stack, stack.length) };
      stack.push(c === 0x7b ? { keys: new Set(), expectKey: true, at: "" } : { keys: null, expectKey: false, at: 0 });
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      // } or ]
      stack.pop();
      i++;
    } else if (c === 0x2c) {
      // , : the next member (an object's key), or the next item
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
      i++;
    } else {
      i++;
    }
  }
  return null;
}
