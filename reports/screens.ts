/**
 * Screenshots of HTML reports, to look at what a person sees: each report at a desktop's width (1280) and a
 * phone's (390), full page; and at the desktop's, the view with an op's tooltip showing and the timeline zoomed in
 * three times. Without arguments it makes two runs in a temporary store, a valid one (kv-single) and an invalid one
 * (primary-backup with asynchronous replication), both under partitions; with arguments it uses those run
 * directories. Writes screens/*.png at the repository's root and prints their paths, and any console or page
 * error the pages made.
 *
 *   npm run report:screens [-- run-dir…]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDefinition } from '../harness/config/index.js';
import { builtinRegistry } from '../harness/builtins.js';
import { runTest } from '../harness/run.js';
import { DESKTOP, launchChromium, openFile, PHONE, type OpenedPage } from '../test/support/browser.js';
import { writeReport } from './write.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'screens');

async function sampleRuns(store: string): Promise<{ name: string; dir: string }[]> {
  const run = async (o: Record<string, unknown>) =>
    (await runTest(parseDefinition({ workload: 'register', seed: 1, timeLimit: 10, store, nemesis: 'partition', ...o }, builtinRegistry().definitions()))).runDir;
  return [
    { name: 'valid', dir: await run({ target: 'kv-single' }) },
    { name: 'invalid', dir: await run({ target: 'primary-backup', bug: 'async-replication' }) },
  ];
}

function complaints(o: OpenedPage): string[] {
  return [
    ...o.pageErrors.map((e) => `page error: ${e}`),
    ...o.consoleErrors.map((e) => `console error: ${e}`),
    ...o.dialogs.map((d) => `dialog: ${d}`),
    ...o.requests.map((r) => `request: ${r}`),
  ];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const store = args.length ? undefined : mkdtempSync(join(tmpdir(), 'faultline-screens-'));
  const runs = store ? await sampleRuns(store) : args.map((d, k) => ({ name: `${k + 1}-${basename(resolve(d))}`, dir: resolve(d) }));
  mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  let problems = 0;
  try {
    for (const { name, dir } of runs) {
      const report = await writeReport(dir);
      for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
        const o = await openFile(browser, report, { viewport });
        try {
          const file = join(out, `${name}-${width}.png`);
          await o.page.screenshot({ path: file, fullPage: true });
          console.log(file);
          if (width === 'desktop') {
            const op = o.page.locator('#timeline .op').first();
            if ((await op.count()) > 0) {
              await o.page.locator('#timeline').scrollIntoViewIfNeeded();
              await op.hover({ force: true });
              const tooltip = join(out, `${name}-${width}-tooltip.png`);
              await o.page.screenshot({ path: tooltip });
              console.log(tooltip);
              for (let k = 0; k < 3; k++) await o.page.locator('#timeline-zoom-in').click();
              const zoomed = join(out, `${name}-${width}-timeline-zoomed.png`);
              await o.page.locator('#timeline').screenshot({ path: zoomed });
              console.log(zoomed);
            }
          }
          for (const c of complaints(o)) {
            problems++;
            console.error(`${name} (${width}): ${c}`);
          }
        } finally {
          await o.close();
        }
      }
    }
  } finally {
    await browser.close();
    if (store) rmSync(store, { recursive: true, force: true });
  }
  if (problems) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`report:screens: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
