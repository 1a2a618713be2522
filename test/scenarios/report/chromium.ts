/**
 * Headless Chromium for the report tests: opens a written report the way a
 * reader's browser would and returns the DOM after its scripts ran.
 *
 * Without Chromium installed, the tests that need it are skipped with a
 * warning — unless `SMETS_REQUIRE_CHROMIUM=1` (set by CI), when they run and
 * fail, so a missing browser cannot pass unnoticed.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Debian names the package and its executable `chromium`; other systems `chromium-browser`. */
const NAMES = ['chromium', 'chromium-browser'];

/** The Chromium executable on PATH, or null when it is not installed. */
export function findChromium(): string | null {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of NAMES) {
    for (const dir of dirs) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not there, or not executable: try the next
      }
    }
  }
  return null;
}

export const CHROMIUM = findChromium();

/** Whether the Chromium tests must run even without Chromium (and then fail). */
export const CHROMIUM_REQUIRED = process.env['SMETS_REQUIRE_CHROMIUM'] === '1';

const INSTALL_HINT = 'install it with `apt-get install chromium`';

/** True when the tests that need Chromium are to be skipped: it is not installed and not required. Says so once per test file. */
export const skipChromium: boolean = CHROMIUM === null && !CHROMIUM_REQUIRED;
if (skipChromium) {
  console.warn(
    `[chromium] Chromium is not installed: skipping the tests that open reports in a browser (${INSTALL_HINT}; SMETS_REQUIRE_CHROMIUM=1 makes this an error)`,
  );
}

/**
 * Opens `file` in headless Chromium and returns the DOM as it stands once
 * the page has loaded and its scripts have run. Each call has a profile of
 * its own in a fresh temporary directory, removed afterwards.
 */
export async function dumpDom(file: string, timeoutMs = 60_000): Promise<string> {
  if (CHROMIUM === null) throw new Error(`Chromium is required (SMETS_REQUIRE_CHROMIUM=1) but not installed: ${INSTALL_HINT}`);
  const browser = CHROMIUM;
  const profile = await mkdtemp(join(tmpdir(), 'smets-chromium-'));
  try {
    const args = [
      '--headless',
      '--disable-gpu',
      // Tests run as root in containers, where Chromium's sandbox cannot start.
      '--no-sandbox',
      '--no-first-run',
      '--disable-extensions',
      `--user-data-dir=${profile}`,
      '--window-size=1280,2000',
      '--dump-dom',
      pathToFileURL(file).href,
    ];
    return await new Promise<string>((resolve, reject) => {
      execFile(browser, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`${browser} failed: ${error.message}\n${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
