import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe } from '../../cli/serve.ts';
import type { Rehearsal } from '../../rehearsal/rehearsal.ts';
import { STATUS_PAGE_IDS as IDS } from '../../rehearsal/status-page.ts';
import { CHROMIUM, skipChromium } from '../scenarios/report/chromium.ts';

const SMALL_SOLR = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));

/**
 * The status page in headless Chromium (Debian's, driven by playwright-core),
 * against `serve` running in this process on an ephemeral port at half a
 * simulated day per wall second: the page updates itself from the live feed.
 */
describe.skipIf(skipChromium)('the status page in a browser, live', () => {
  let browser: Browser;
  let page: Page;
  let rehearsal: Rehearsal;
  let stopServe: () => void = () => {};
  let served: Promise<number> | undefined;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    if (CHROMIUM === null) throw new Error('Chromium is required (SMETS_REQUIRE_CHROMIUM=1) but not installed: apt-get install chromium');
    // The browser first, so the page opens as soon as serve is up, early in the scenario.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Tests run as root in containers, where Chromium's sandbox cannot start.
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'],
    });
    const ready = new Promise<Rehearsal>((resolve) => {
      served = runServe([SMALL_SOLR, '--port', '0', '--speed', '43200', '--premises', '30'], {
        fail: (m) => {
          throw new Error(m);
        },
        out: new Writable({ write: (_c, _e, done) => done() }),
        stop: new Promise<void>((resolve) => (stopServe = resolve)),
        ready: resolve,
      });
    });
    rehearsal = await ready;
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(rehearsal.origin)) foreignRequests.push(r.url());
    });
    await page.goto(rehearsal.statusUrl);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    stopServe();
    if (served !== undefined) expect(await served).toBe(0);
  });

  const textOf = (id: string): Promise<string> => page.locator(`#${id}`).innerText();

  it('shows the simulated time and the counters, and they change while it watches', async () => {
    await page.waitForFunction((id) => /^\d{4}-\d\d-\d\dT/.test(document.getElementById(id)?.textContent ?? ''), IDS.simTime);
    const firstTime = await textOf(IDS.simTime);
    const firstResponses = Number(await textOf(IDS.responsesTotal));
    expect(await textOf(IDS.speed)).toBe('43200');
    expect(await textOf(IDS.connection)).toBe('live');
    // The SRP starts switching meters to Credit at +3d4h: responses arrive within a few simulated days.
    await page.waitForFunction(
      ([id, t]) => (document.getElementById(id as string)?.textContent ?? '') > (t as string),
      [IDS.simTime, firstTime],
      { timeout: 60_000 },
    );
    await page.waitForFunction(
      ([id, n]) => Number(document.getElementById(id as string)?.textContent) > (n as number),
      [IDS.responsesTotal, firstResponses],
      { timeout: 60_000 },
    );
    expect(await textOf(IDS.simTime)).not.toBe(firstTime);
    expect(Number(await textOf(IDS.responsesTotal))).toBeGreaterThan(firstResponses);
    // The cause table has the report's four causes.
    expect(await page.locator('#causes tr').count()).toBe(4);
    expect(await page.locator('#causes').innerText()).toContain('credit exhausted');
  }, 90_000);

  it('looks a device up from the search box', async () => {
    const eui = rehearsal.rw.world.meters[0]!.id;
    await page.fill(`#${IDS.deviceInput}`, eui);
    await page.click(`#${IDS.deviceForm} button[type=submit]`);
    await page.waitForFunction((id) => (document.getElementById(id)?.textContent ?? '').includes('payment mode'), IDS.deviceResult);
    const shown = await textOf(IDS.deviceResult);
    expect(shown).toContain(eui);
    expect(shown).toMatch(/payment mode\s+(Prepayment|Credit)/);
    expect(shown).toMatch(/balance\s+-?£\d+\.\d\d/);
    expect(shown).toContain('Small Energy');
    await page.fill(`#${IDS.deviceInput}`, 'not-a-device');
    await page.click(`#${IDS.deviceForm} button[type=submit]`);
    await page.waitForFunction((id) => (document.getElementById(id)?.textContent ?? '').includes('error'), IDS.deviceResult);
    expect(await textOf(IDS.deviceResult)).toContain('format: path.eui');
  }, 60_000);

  it('loads nothing from elsewhere and logs no error', () => {
    expect(foreignRequests).toEqual([]);
    // The failed lookup above is a 400 the page shows; the browser logs the failed fetch itself.
    expect(consoleErrors.filter((e) => !e.includes('400'))).toEqual([]);
  });
});
