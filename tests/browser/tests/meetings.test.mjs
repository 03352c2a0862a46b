// Meetings, agendas, drafts and journals in a real browser, against the real `rsm demo`:
// the secretariat schedules a meeting and builds its agenda; a delegate proposes an item
// and objects to a draft; the journal shows both. The demo Council's journal is saved as a
// screenshot (docs/screenshots/journal.png) and printed to PDF.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const shots = join(root, 'docs', 'screenshots');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const RSM_BIN = process.env.RSM_BIN || join(root, 'target', 'debug', 'rsm');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let server; let base; let browser; let dataDir;
const passwords = {};
const cspViolations = [];

/** Starts `rsm demo` on port 0 and reads the URL and the passwords it prints. */
function startDemo() {
  dataDir = mkdtempSync(join(tmpdir(), 'rsm-browser-'));
  // rsm refuses unknown RSM_* settings: pass on only the environment that is not ours.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RSM_')));
  env.RSM_LOG = process.env.RSM_LOG || 'warn';
  server = spawn(RSM_BIN, ['demo', '--dir', dataDir, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`rsm demo did not start:\n${out}`)), 60_000);
    server.stderr.on('data', (d) => { if (process.env.RSM_VERBOSE) process.stderr.write(d); });
    let err = '';
    server.stderr.on('data', (d) => { err += d.toString(); });
    server.on('exit', (code) => reject(new Error(`rsm demo exited with ${code}:\n${out}\n${err.slice(0, 2000)}`)));
    server.stdout.on('data', (chunk) => {
      out += chunk.toString();
      if (!out.includes('Press Ctrl-C to stop.')) return;
      clearTimeout(timer);
      base = out.match(/RSM demo is running: (http:\/\/\S+?)\/?\s/)[1];
      let inTable = false;
      for (const line of out.split('\n')) {
        if (/^\s+user\s+role\s+password/.test(line)) { inTable = true; continue; }
        if (inTable) {
          const m = line.match(/^\s+(\S+)\s+.*\s(\S+)\s*$/);
          if (!m) { inTable = false; continue; }
          passwords[m[1]] = m[2];
        }
      }
      resolve();
    });
  });
}

async function newPage(options = {}) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(`${page.url()}: ${msg.text()}`);
  });
  return page;
}

async function signIn(page, user, password = passwords[user]) {
  await page.goto(`${base}/sign-in`);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/sign-in"] button[type=submit]')]);
}

/** Runs axe-core in the page; fails on serious or critical violations. */
async function axe(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe on ${what}`,
  );
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  await startDemo();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // Playwright gives each launch a fresh temporary --user-data-dir of its own.
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  for (const d of [dataDir]) if (d) rmSync(d, { recursive: true, force: true });
});


describe('meetings, agendas, drafts and journals', () => {
  test('the secretariat schedules and builds an agenda; a delegate proposes and objects; the journal shows both', async () => {
    const officer = await newPage();
    await signIn(officer, 'officer');
    await officer.goto(`${base}/meetings`);
    await axe(officer, 'meetings');
    await officer.selectOption('#m-body', 'ministerial-council');
    await officer.fill('#m-title', 'Extraordinary Ministerial Council');
    const year = new Date().getFullYear() + 1;
    await officer.fill('#m-start', `${year}-03-10T10:00`);
    await officer.fill('#m-end', `${year}-03-10T13:00`);
    await officer.fill('#m-tz', 'Asia/Tokyo');
    await officer.fill('#m-venue', 'Tokyo');
    await Promise.all([officer.waitForURL(/\/meetings\/\d+$/), officer.click('form[action="/meetings"] button[type=submit]')]);
    const meetingUrl = officer.url();
    assert.match(await officer.textContent('h1'), /Extraordinary Ministerial Council/);
    // The agenda is built in place with htmx.
    for (const [title, minutes] of [['Opening of the meeting', '15'], ['Energy security', '150']]) {
      await officer.fill('#i-title', title);
      await officer.fill('#i-min', minutes);
      await officer.click('#agenda form button[type=submit]');
      await officer.locator('#agenda tbody tr', { hasText: title }).waitFor();
    }
    assert.equal(officer.url(), meetingUrl, 'htmx swapped the agenda without leaving the page');
    const numbers = await officer.locator('#agenda tbody td:first-child').allTextContents();
    assert.deepEqual(numbers.map((n) => n.trim()), ['1', '2']);
    await officer.goto(meetingUrl); // the draft form's item list is outside the swapped agenda
    await officer.fill('#d-title', 'Energy emergency coordination');
    await officer.fill('#d-text', 'The Council sets up an energy emergency coordination group.');
    await officer.selectOption('#d-item', { label: '2 Energy security' });
    await Promise.all([officer.waitForURL(/\/drafts\/\d+$/), officer.click('form[action$="/drafts"] button[type=submit]')]);
    const draftUrl = officer.url();
    assert.match(await officer.textContent('#draft-state'), /under consideration/);
    await axe(officer, 'meeting and draft (secretariat)');

    const delegate = await newPage();
    await signIn(delegate, 'kr.delegate');
    await delegate.goto(meetingUrl);
    await delegate.fill('#i-title', 'Separated families');
    await delegate.fill('#i-min', '30');
    await delegate.click('#agenda form button[type=submit]');
    const proposed = delegate.locator('#agenda tbody tr', { hasText: 'Separated families' });
    await proposed.waitFor();
    assert.match(await proposed.textContent(), /KR/);
    await axe(delegate, 'meeting (delegate)');
    await delegate.goto(draftUrl);
    await delegate.selectOption('#p-pos', 'objects');
    await delegate.fill('#p-reason', 'The group needs a mandate from the working group first.');
    await Promise.all([delegate.waitForLoadState('load'), delegate.click('form[action$="/position"] button[type=submit]')]);
    // kr.delegate reads Korean: 반대로 보류 is "blocked".
    assert.match(await delegate.textContent('#draft-state'), /보류|blocked/);
    assert.match(await delegate.textContent('section:has(#pos-h)'), /mandate from the working group/);
    await axe(delegate, 'draft (delegate)');
    await shot(delegate, 'draft-objection');

    // The secretariat puts the proposal on the agenda; the journal shows it and the objection.
    await officer.goto(meetingUrl);
    await Promise.all([officer.waitForLoadState('load'), officer.locator('#agenda tbody tr', { hasText: 'Separated families' }).locator('button').click()]);
    await officer.goto(`${meetingUrl}/journal`);
    const journal = await officer.textContent('article.journal');
    assert.match(journal, /3\. Separated families/);
    assert.match(journal, /Energy emergency coordination/);
    assert.match(journal, /Objection: KR: The group needs a mandate/);
    await axe(officer, 'journal');
    await officer.context().close();
    await delegate.context().close();
  });

  test("the demo Council's journal as a page and as a PDF", async () => {
    const page = await newPage();
    await signIn(page, 'jp.delegate');
    await page.goto(`${base}/meetings`);
    await axe(page, 'meetings (delegate)');
    assert.doesNotMatch(await page.content(), /Peace regime|Panmunjom/i, 'the restricted talks stay hidden');
    await Promise.all([page.waitForURL(/\/meetings\/\d+$/), page.locator('a', { hasText: 'Second Ministerial Council' }).first().click()]);
    await axe(page, 'demo meeting');
    await shot(page, 'meeting');
    await page.goto(`${page.url()}/journal`);
    const text = await page.textContent('article.journal');
    assert.match(text, /MC\.JOUR\/\d+/);
    assert.match(text, /MC\.DEC\/1\/\d\d/);
    assert.match(text, /MC\.DEC\/2\/\d\d/);
    assert.match(text, /RU \(interpretative\)/);
    assert.match(text, /Pre-notification of missile and space launches/);
    await axe(page, 'demo journal');
    await shot(page, 'journal');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    assert.ok(pdf.length > 5000, `the PDF has content (${pdf.length} bytes)`);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    writeFileSync(join(shots, 'journal.pdf'), pdf);
    await page.context().close();
  });

  test('no Content-Security-Policy violation on the meeting pages', () => {
    assert.deepEqual(cspViolations, []);
  });
});
