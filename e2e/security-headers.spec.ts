// Issue 9, findings 6, 7, 9 and 11, tried over HTTP against the production
// build the way an attacker would: a foreign X-Forwarded-Host on next-auth's
// endpoints, a sign-in page probed for tenant names, responses read for the
// security headers and for internal routes.
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { DEMO_PASSWORD } from "@/lib/demo/users";
import { CONSOLE, PORT, SCREENSHOTS, signIn, tenantUrl } from "./helpers";

const EVIL = "evil.example.com";

// Playwright's request client resolves names with Node, which does not know
// *.localhost (Chromium does): connect to localhost and name the host in Host.
function at(origin: string, path: string): { url: string; host: Record<string, string> } {
  const u = new URL(origin);
  return { url: `${CONSOLE}${path}`, host: { Host: u.host } };
}

async function csrf(request: APIRequestContext, origin: string, extra: Record<string, string> = {}) {
  const { url, host } = at(origin, "/api/auth/csrf");
  const res = await request.get(url, { headers: { ...host, ...extra } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

/** Every URL next-auth answered with: the Location header and a JSON `url`. */
async function answeredUrls(res: APIResponse): Promise<string[]> {
  const urls: string[] = [];
  const location = res.headers()["location"];
  if (location) urls.push(location);
  if ((res.headers()["content-type"] ?? "").includes("json")) {
    const body = (await res.json().catch(() => ({}))) as { url?: string };
    if (body.url) urls.push(body.url);
  }
  return urls;
}

function expectSameHost(urls: string[], origin: string) {
  expect(urls.length).toBeGreaterThan(0);
  for (const u of urls) {
    expect(u).not.toContain(EVIL);
    expect(new URL(u, origin).origin).toBe(origin);
  }
}

test.describe("finding 9: next-auth never redirects to the host X-Forwarded-Host names", () => {
  for (const [name, origin] of [["console", CONSOLE], ["tenant", tenantUrl("acme")]] as const) {
    test(`on the ${name} host`, async ({ request }) => {
      const forged = { "X-Forwarded-Host": EVIL, ...at(origin, "/").host };
      const u = (path: string) => at(origin, path).url;
      const csrfToken = await csrf(request, origin, forged);

      // GET /api/auth/signin sends to the sign-in page.
      const signinPage = await request.get(u("/api/auth/signin?callbackUrl=%2Falerts"), { headers: forged, maxRedirects: 0 });
      expectSameHost(await answeredUrls(signinPage), origin);

      // A failed sign-in: the client is told where the error page is.
      const failed = await request.post(u("/api/auth/callback/credentials"), {
        headers: forged,
        form: { email: "acme.analyst@demo.test", password: "wrong-password", csrfToken, callbackUrl: "/alerts", json: "true" },
        maxRedirects: 0,
      });
      expectSameHost(await answeredUrls(failed), origin);

      // A successful sign-in (acme.analyst has no second factor).
      const ok = await request.post(u("/api/auth/callback/credentials"), {
        headers: forged,
        form: { email: "acme.analyst@demo.test", password: DEMO_PASSWORD, csrfToken, callbackUrl: "/alerts", json: "true" },
        maxRedirects: 0,
      });
      expectSameHost(await answeredUrls(ok), origin);

      // An absolute callback naming the foreign host is refused too.
      const absolute = await request.post(u("/api/auth/callback/credentials"), {
        headers: forged,
        form: { email: "acme.analyst@demo.test", password: DEMO_PASSWORD, csrfToken, callbackUrl: `http://${EVIL}/x`, json: "true" },
        maxRedirects: 0,
      });
      expectSameHost(await answeredUrls(absolute), origin);

      // Sign-out, the form post and the JSON flavour next-auth's client uses.
      const signoutToken = await csrf(request, origin, forged);
      const signout = await request.post(u("/api/auth/signout"), {
        headers: forged,
        form: { csrfToken: signoutToken, callbackUrl: "/signin" },
        maxRedirects: 0,
      });
      expectSameHost(await answeredUrls(signout), origin);
      const signoutJson = await request.post(u("/api/auth/signout"), {
        headers: forged,
        form: { csrfToken: await csrf(request, origin, forged), callbackUrl: "/signin", json: "true" },
        maxRedirects: 0,
      });
      expectSameHost(await answeredUrls(signoutJson), origin);
    });
  }

  test("next-auth's endpoints answer 404 on a host that is not the portal's", async ({ request }) => {
    const res = await request.get(`http://127.0.0.1:${PORT}/api/auth/csrf`);
    expect(res.status()).toBe(404);
  });
});

const PAGES = [
  `${CONSOLE}/signin`,
  `${tenantUrl("acme")}/signin`,
  `${tenantUrl("no-such-tenant")}/alerts`,
  `${CONSOLE}/api/auth/csrf`,
];

function nonceOf(csp: string): string {
  const m = /script-src[^;]*'nonce-([A-Za-z0-9+/=_-]+)'/.exec(csp);
  expect(m, `a nonce in ${csp}`).not.toBeNull();
  return m![1];
}

test.describe("finding 6: security headers on every response", () => {
  test("CSP with a fresh nonce per request, and the usual headers", async ({ request }) => {
    for (const page of PAGES) {
      const { url, host } = at(new URL(page).origin, new URL(page).pathname);
      const res = await request.get(url, { headers: host, maxRedirects: 0 });
      const h = res.headers();
      const csp = h["content-security-policy"];
      expect(csp, url).toBeTruthy();
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("'strict-dynamic'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-eval'/);
      nonceOf(csp);
      expect(h["x-content-type-options"], url).toBe("nosniff");
      expect(h["referrer-policy"], url).toBe("strict-origin-when-cross-origin");
      expect(h["permissions-policy"], url).toContain("camera=()");
      expect(h["cross-origin-opener-policy"], url).toBe("same-origin");
      expect(h["x-frame-options"], url).toBe("DENY");
      // Plain http here: HSTS only over https (a browser ignores it on http anyway).
      expect(h["strict-transport-security"], url).toBeUndefined();
    }
  });

  test("each page's scripts carry that response's nonce, and it changes per request", async ({ request }) => {
    const a = await request.get(`${CONSOLE}/signin`);
    const b = await request.get(`${CONSOLE}/signin`);
    const na = nonceOf(a.headers()["content-security-policy"]);
    const nb = nonceOf(b.headers()["content-security-policy"]);
    expect(na).not.toBe(nb);
    const html = await a.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(s).toContain(`nonce="${na}"`);
  });

  test("HSTS when the request came over https (X-Forwarded-Proto from the TLS ingress)", async ({ request }) => {
    const res = await request.get(`${CONSOLE}/signin`, { headers: { "X-Forwarded-Proto": "https" } });
    expect(res.headers()["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  });

  test("pages work under the policy: sign-in, console, tenant pages, no CSP violations", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) violations.push(m.text());
    });
    const documents: { url: string; csp?: string }[] = [];
    page.on("response", (r) => {
      if (r.request().resourceType() === "document") documents.push({ url: r.url(), csp: r.headers()["content-security-policy"] });
    });
    await signIn(page, tenantUrl("acme"), "acme.analyst@demo.test");
    await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
    await page.getByLabel("Severity").selectOption("high");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/severity=high/);
    await page.goto(`${tenantUrl("acme")}/tenants`);
    await expect(page.getByTestId("my-tenants")).toBeVisible();
    await signIn(page, CONSOLE, "mssp.admin@demo.test");
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("open-alerts-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
    expect(documents.length).toBeGreaterThan(2);
    for (const d of documents) expect(d.csp, d.url).toContain("frame-ancestors 'none'");
    expect(violations).toEqual([]);
  });
});

test.describe("a brand asset carries its own CSP, not the page's", () => {
  // The proxy sets the page policy on what it answers; Next writes the proxy's headers before a route
  // handler runs and drops a handler's header the proxy already set, so the proxy leaves this one to
  // app/brand-asset/[file]/route.ts (proxy.ts BRAND_ASSET_FILE). The colour mark is an SVG every host serves.
  test("an SVG logo or favicon: default-src 'none' and sandbox, no page policy", async ({ request }) => {
    for (const [origin, path, status, cache] of [
      [tenantUrl("acme"), "/brand-asset/mark-9f1239.svg", 200, "public, max-age=31536000, immutable"],
      [CONSOLE, "/brand-asset/mark-4f46e5.svg", 200, "public, max-age=31536000, immutable"],
      [tenantUrl("acme"), `/brand-asset/${"0".repeat(64)}`, 404, "no-store"],
      [CONSOLE, `/brand-asset/${"0".repeat(64)}`, 404, "no-store"],
    ] as const) {
      const { url, host } = at(origin, path);
      const res = await request.get(url, { headers: host, maxRedirects: 0 });
      expect(res.status(), url).toBe(status);
      const h = res.headers();
      if (status === 200) expect(h["content-type"], url).toBe("image/svg+xml");
      const directives = (h["content-security-policy"] ?? "").split(/[;,\n]/).map((d) => d.trim());
      expect(directives, url).toContain("default-src 'none'");
      expect(directives, url).toContain("sandbox");
      expect(directives, url).toContain("frame-ancestors 'none'");
      // The page policy (its nonce, its script-src, its default-src 'self') is not there.
      expect(h["content-security-policy"], url).not.toMatch(/nonce-|script-src|'self'/);
      expect(h["x-content-type-options"], url).toBe("nosniff");
      expect(h["x-frame-options"], url).toBe("DENY");
      // The route's caching reaches the browser as it set it (tests/brand-asset-route.test.ts has the rest).
      expect(h["cache-control"], url).toBe(cache);
      if (origin === CONSOLE && status === 404) expect(h["vary"] ?? "", url).toMatch(/cookie/i);
    }
  });
});

test.describe("finding 7: the sign-in page does not tell whether a tenant exists", () => {
  // A tenant that publishes its own brand chooses a recognisable sign-in page
  // (issue 14; e2e/branding.spec.ts brands Acme). Globex has no brand of its
  // own, so its page must be byte-for-byte the neutral one an unknown slug gets.
  test("a real tenant without its own brand and an unknown slug get the same neutral page", async ({ request, page }) => {
    const real = await request.get(at(tenantUrl("globex"), "/signin").url, { headers: at(tenantUrl("globex"), "/").host });
    const unknown = await request.get(at(tenantUrl("no-such-tenant"), "/signin").url, { headers: at(tenantUrl("no-such-tenant"), "/").host });
    expect(real.status()).toBe(200);
    expect(unknown.status()).toBe(200);
    expect(await real.text()).not.toContain("Globex");
    await page.goto(`${tenantUrl("globex")}/signin`);
    const realScope = await page.getByTestId("signin-scope").innerText();
    const realMain = await page.locator("main").innerText();
    await page.goto(`${tenantUrl("no-such-tenant")}/signin`);
    expect(await page.getByTestId("signin-scope").innerText()).toBe(realScope);
    expect(await page.locator("main").innerText()).toBe(realMain);
    await page.screenshot({ path: `${SCREENSHOTS}/signin-neutral.png`, fullPage: true });
  });
});

test.describe("finding 11: hygiene", () => {
  // Next's router adds x-middleware-rewrite (the rewritten path) after the
  // proxy has run; lib/http/internal-headers.ts (installed by
  // instrumentation.ts) drops it as the headers are sent.
  test("responses do not show the internal route the proxy rewrote to", async ({ request }) => {
    for (const page of [`${tenantUrl("acme")}/alerts`, `${CONSOLE}/`, `${tenantUrl("no-such-tenant")}/`]) {
      const { url, host } = at(new URL(page).origin, new URL(page).pathname);
      const res = await request.get(url, { headers: host, maxRedirects: 0 });
      const h = res.headers();
      expect(h["x-middleware-rewrite"], page).toBeUndefined();
      expect(JSON.stringify(h), page).not.toMatch(/\/t\/acme|\/console|\/unknown-host/);
    }
  });

  test("the 403 page lets the user sign out", async ({ page }) => {
    await signIn(page, tenantUrl("globex"), "acme.analyst@demo.test");
    await expect(page.getByTestId("forbidden-title")).toBeVisible();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    await page.goto(`${tenantUrl("acme")}/alerts`);
    await expect(page).toHaveURL(/\/signin/);
  });
});
