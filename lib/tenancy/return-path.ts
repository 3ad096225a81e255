// Where "sign in, then come back" may send someone: a path on this host only.
// "//evil.test" and "/\evil.test" are other hosts to a browser, so a return
// path has one leading slash, no backslash, no whitespace or control characters.
export function isSafeReturnPath(value: string): boolean {
  return value.length <= 2048 && /^\/(?![/\\])[^\\\s\u0000-\u001f\u007f]*$/.test(value);
}
