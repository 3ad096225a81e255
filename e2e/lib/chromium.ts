// How every browser in the suite is launched: Debian's Chromium (installed by
// .ci/run; Playwright's own browser download cannot run on these machines),
// headless, with the flags these machines need. playwright.config.ts uses it
// for every test; a spec that launches its own browser (extra flags, such as
// host-resolver rules for custom domains) starts from the same options.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

/** Launch options for Chromium, with any extra flags after the suite's own. */
export const chromiumLaunchOptions = (...extraArgs: string[]) => ({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
