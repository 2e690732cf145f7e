// What the end-to-end test files share beyond the gateway (gateway.mjs): how
// Chromium is started, and the teardown of what a file started. It imports no
// npm package, so test/sdk (with its own playwright-core) uses it as web/e2e
// does.

/** The browser binary: CHROMIUM_PATH, else the Debian package's. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Options for playwright-core's chromium.launch(): headless, without the
 * sandbox, and with nothing that reaches out to Google's services. extraArgs
 * are added to these flags.
 */
export function launchOptions(extraArgs = []) {
  return {
    executablePath: chromiumPath,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...extraArgs,
    ],
  };
}

/** Waits for promise, or for ms to pass; a browser that hangs on close must not hang the test run. */
export function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
}

/**
 * Runs cleanups last first (what was started last may depend on what was
 * started before it); a failing one is logged and the rest still run.
 */
export async function runCleanups(cleanups) {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      console.error("cleanup:", err);
    }
  }
}
