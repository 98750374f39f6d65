import assert from 'node:assert/strict';
/**
 * Headless Chromium for the report's browser tests: Debian's own build (apt-get install chromium; `.ci/setup`
 * installs it), driven by playwright-core, which downloads no browser of its own. One browser per test file;
 * each page opens in a fresh context and records everything a report must never do: console errors, uncaught
 * exceptions, dialogs (an `alert` from injected markup), and any network request besides the document itself.
 *
 * A missing Chromium is an error, never a skip: CI must not pass by running nothing.
 */
import { accessSync, constants } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; FAULTLINE_CHROMIUM overrides it (another build, another path). */
export const CHROMIUM_PATH = process.env.FAULTLINE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Run \`bash .ci/setup\` (apt-get install chromium) ` +
        'or set FAULTLINE_CHROMIUM to a Chromium binary.',
    );
  }
  // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

/** A page opened on a file, and what it did that it should not have. */
export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  url: string;
  consoleErrors: string[];
  pageErrors: string[];
  /** The messages of alert/confirm/prompt dialogs (each dismissed). */
  dialogs: string[];
  /** Every request other than the document's own. */
  requests: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** Wait until `document.documentElement.dataset.ready === 'true'` (default true). */
  waitReady?: boolean;
  timeoutMs?: number;
  /** Ignore the page's Content-Security-Policy: to test that the page escapes what it shows, not only that CSP would stop it. */
  bypassCSP?: boolean;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function openFile(browser: Browser, file: string, options: OpenOptions = {}): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, bypassCSP: options.bypassCSP ?? false });
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const opened: OpenedPage = {
    page,
    context,
    url,
    consoleErrors: [],
    pageErrors: [],
    dialogs: [],
    requests: [],
    close: () => context.close(),
  };
  page.on('console', (m) => {
    if (m.type() === 'error') opened.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => opened.pageErrors.push(e.message));
  page.on('dialog', (d) => {
    opened.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => undefined);
  });
  page.on('request', (r) => {
    if (r.url() !== url) opened.requests.push(r.url());
  });
  const timeout = options.timeoutMs ?? 30_000;
  await page.goto(url, { waitUntil: 'load', timeout });
  if (options.waitReady ?? true) {
    try {
      await waitReady(page, timeout);
    } catch (e) {
      // Say why the page never got ready: what it did is usually the reason.
      const seen = [...opened.pageErrors.map((m) => `page error: ${m}`), ...opened.consoleErrors.map((m) => `console error: ${m}`), ...opened.dialogs.map((m) => `dialog: ${m}`)];
      await context.close();
      throw new Error(`${file}: ${(e as Error).message}${seen.length ? `; ${seen.join('; ')}` : ''}`);
    }
  }
  return opened;
}

/** Waits for the page's own signal that it has rendered. */
export async function waitReady(page: Page, timeoutMs = 30_000): Promise<void> {
  await waitUntil(page, "document.documentElement.dataset.ready === 'true'", timeoutMs);
}

/**
 * Polls a JavaScript expression until it is truthy. Not page.waitForFunction: that evaluates its predicate with
 * eval inside the page, which the report's Content-Security-Policy forbids; page.evaluate goes through DevTools.
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate<unknown>(expression)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What a page did that a report must never do. */
export function assertClean(o: OpenedPage): void {
  assert.deepEqual(o.pageErrors, [], 'page errors');
  assert.deepEqual(o.consoleErrors, [], 'console errors');
  assert.deepEqual(o.dialogs, [], 'dialogs');
  assert.deepEqual(o.requests, [], 'network requests besides the document');
}
