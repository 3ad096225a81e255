// "Sign in, then come back" never leaves the host: the return path check.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isSafeReturnPath } from "@/lib/tenancy/return-path";

test("paths on this host are kept", () => {
  for (const ok of ["/", "/credentials", "/alerts?status=new&severity=high", "/audit?action=credential", "/a/b/c#x"]) {
    assert.equal(isSafeReturnPath(ok), true, ok);
  }
});

test("anything a browser would take to another host, or that is not a path, is refused", () => {
  for (const bad of [
    "//evil.test",
    "//evil.test/credentials",
    "/\\evil.test",
    "/\\/evil.test",
    "/credentials\\..\\x",
    "https://evil.test",
    "javascript:alert(1)",
    "credentials",
    "",
    "/ foo",
    "/\tevil",
    "/\nLocation: x",
    `/${"a".repeat(2048)}`,
  ]) {
    assert.equal(isSafeReturnPath(bad), false, JSON.stringify(bad));
  }
});
