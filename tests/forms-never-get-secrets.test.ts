// A form that submits through JavaScript (onSubmit + preventDefault) is still
// an HTML form: submitted before React hydrates it, or with the script
// failing to load, the browser sends it itself, and without a method that is
// a GET of the page with every field in the query string. The sign-in form
// did that with the password (the address bar, the history, every proxy's
// access log); the archive forms would with the transfer key.
//   - every <form> under app/ and components/ names a method or an action
//     (React renders a server action as a POST), so no field of ours is ever
//     sent in a URL unless the form says method="get" (the filter forms,
//     whose fields belong in the URL);
//   - no GET form holds a password field.
// The browser half (the sign-in button stays disabled until hydrated, and a
// sign-in never puts the password in a URL) is e2e/portal.spec.ts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const ROOT = path.resolve(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith(".tsx") ? [full] : [];
  });
}

/** The opening tags of the `<form` elements in a TSX source: up to the first `>` outside braces and quotes. */
function formTags(source: string): string[] {
  const tags: string[] = [];
  for (let at = source.indexOf("<form"); at >= 0; at = source.indexOf("<form", at + 5)) {
    if (/[A-Za-z]/.test(source[at + 5] ?? "")) continue; // <formula>, <FormField>
    let depth = 0;
    let quote: string | null = null;
    let end = at + 5;
    for (; end < source.length; end++) {
      const c = source[end];
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'" || c === "`") quote = c;
      else if (c === "{") depth++;
      else if (c === "}") depth--;
      else if (c === ">" && depth === 0) break;
    }
    tags.push(source.slice(at, end + 1));
  }
  return tags;
}

/** Every page and component source, read once for both checks below. */
const SOURCES = [...sourceFiles(path.join(ROOT, "app")), ...sourceFiles(path.join(ROOT, "components"))].map((file) => ({
  file: path.relative(ROOT, file),
  source: readFileSync(file, "utf8"),
}));

test("the tag reader finds a form's whole opening tag, arrow functions in its handlers included", () => {
  const [tag] = formTags(`<form\n  className="x"\n  onSubmit={(e) => {\n    e.preventDefault();\n  }}\n  method="post"\n>\n<input />`);
  assert.match(tag, /method="post"\n>$/);
  assert.deepEqual(formTags(`<FormField /> <formula>`), []);
});

test("every form names a method or an action, so a native submit never puts its fields in a URL", () => {
  const forms = SOURCES.flatMap(({ file, source }) => formTags(source).map((tag) => ({ file, tag })));
  assert.ok(forms.length > 40, `the scan finds the portal's forms (${forms.length})`);
  const bare = forms.filter((f) => !/\s(method|action)=/.test(f.tag));
  assert.deepEqual(bare.map((f) => `${f.file}: ${f.tag.replace(/\s+/g, " ").slice(0, 120)}`), [], 'add method="post" (or a server action)');
});

test("no form that submits as a GET holds a password field", () => {
  for (const { file, source } of SOURCES) {
    const gets = formTags(source).filter((tag) => /method="get"/i.test(tag));
    if (gets.length > 0) assert.doesNotMatch(source, /type="password"/, `${file} has a GET form and a password field`);
  }
});

// A confirm dialog is JavaScript: before hydration a form that asks in its onSubmit was posted
// natively and its server action ran unasked (a group deleted with no question). The forms that ask
// are one component whose controls wait for hydration (components/ui/confirmed-form.tsx,
// e2e/confirmed-forms.spec.ts); a confirm() anywhere else would bring the race back.
test("every confirm dialog is ConfirmedForm's, whose controls wait for hydration", () => {
  const asking = SOURCES.filter(({ source }) => /\bconfirm\(/.test(source)).map(({ file }) => file);
  assert.deepEqual(asking, ["components/ui/confirmed-form.tsx"], "ask through <ConfirmedForm question=…> instead");
  const users = SOURCES.filter(({ source }) => source.includes("<ConfirmedForm")).map(({ file }) => file);
  assert.ok(users.length >= 5, `the credentials, team, domains, billing and groups forms use it (${users.join(", ")})`);
});
