// Notifications in a real browser (helpers as in pages.test.mjs): Debian's headless Chromium driven by playwright-core,
// against the real `rsm demo` binary. Each test saves a screenshot into docs/screenshots/
// and runs axe-core in the page (no serious or critical violation allowed).
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
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
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  for (const d of [dataDir]) if (d) rmSync(d, { recursive: true, force: true });
});

/** `YYYY-MM-DDTHH:MM` in Seoul, `days` from now. */
function seoul(days, hour) {
  const t = new Date(Date.now() + days * 86400_000 + 9 * 3600_000);
  return `${t.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;
}

describe('notifications', () => {
  test('a delegate submits through the page, another acknowledges it, compliance shows it on time', async () => {
    // KR's delegate drafts a prior notification; validation shows as they type.
    const kr = await newPage();
    await signIn(kr, 'kr.delegate');
    await kr.goto(`${base}/notifications/new?type=military-activity`);
    await kr.fill('#f-designation', 'Browser exercise');
    await kr.fill('#f-troops', '-5');
    await kr.waitForSelector('#check .alert');
    assert.match(await kr.textContent('#check'), /troops/);
    await kr.fill('#f-purpose', 'Readiness of the division');
    await kr.selectOption('#f-activity_type', 'land');
    await kr.check('input[name="f.parties_involved"][value="KR"]');
    await kr.selectOption('#f-command_level', 'division');
    await kr.fill('#f-window-start', seoul(60, 6));
    await kr.fill('#f-window-end', seoul(62, 18));
    await kr.fill('#f-area-centre', '127.5, 37.8');
    await kr.fill('#f-area-radius', '40');
    await kr.fill('#f-troops', '12000');
    await kr.waitForSelector('#check .ok-note');
    await axe(kr, 'submit form');
    // The key file is read in the browser (never uploaded) and the entry signed there.
    await kr.setInputFiles('#key-file', join(dataDir, 'demo-party-keys', 'KR.key'));
    const posted = [];
    kr.on('request', (r) => { if (r.method() === 'POST') posted.push(r.postData() || ''); });
    await kr.click('#sign-submit');
    await kr.waitForSelector('#submitted-link', { timeout: 30_000 });
    const linkText = await kr.textContent('#submitted-link');
    assert.match(linkText, /on_time/);
    assert.ok(posted.every((b) => !b.includes('RSM-PARTY-KEY')), 'the key file never leaves the browser');
    const index = Number(linkText.match(/#(\d+)/)[1]);
    await shot(kr, '09-notification-submitted');
    await kr.context().close();

    // The US delegate sees it on the calendar and acknowledges it.
    const us = await newPage();
    await signIn(us, 'us.delegate');
    await us.goto(`${base}/notifications?view=month&party=KR`);
    await us.goto(`${base}/notifications?party=KR`);
    const link = us.locator(`a[href="/notifications/${index}"]`);
    assert.equal(await link.count(), 1, 'on the calendar');
    await axe(us, 'calendar');
    await shot(us, '10-calendar');
    await us.goto(`${base}/notifications?view=month&month=${seoul(60, 0).slice(0, 7)}&party=KR`);
    assert.equal(await us.locator(`table.month a[href="/notifications/${index}"]`).count(), 1, 'in the month view');
    await axe(us, 'calendar month');
    await us.goto(`${base}/notifications/${index}`);
    assert.match(await us.textContent('#not-acked'), /US/);
    await us.setInputFiles('#key-file', join(dataDir, 'demo-party-keys', 'US.key'));
    await Promise.all([us.waitForLoadState('load'), us.click('#ack-button')]);
    await us.waitForFunction(() => document.querySelector('#acks')?.textContent.includes('US'));
    assert.equal(await us.locator('#ack-form').count(), 0, 'acknowledged once');
    await axe(us, 'notification');
    await shot(us, '11-notification-acknowledged');

    // The map shows its area over the coastlines.
    await us.goto(`${base}/notifications/map`);
    assert.equal(await us.locator(`svg.map a[href="/notifications/${index}"] ellipse`).count(), 1, 'on the map');
    assert.ok((await us.locator('svg.map path.land').getAttribute('d')).length > 1000, 'coastlines drawn');
    await axe(us, 'map');
    await shot(us, '13-map');

    // The compliance page shows it on time.
    await us.goto(`${base}/compliance`);
    const row = us.locator('#compliance-rows tr', { has: us.locator(`a[href="/notifications/${index}"]`) });
    assert.equal(await row.count(), 1);
    assert.equal(await row.locator('.badge.c-on_time').count(), 1, 'on time');
    assert.ok(await us.locator('svg.chart rect').count() > 0, 'the chart is drawn');
    await axe(us, 'compliance');
    await shot(us, '12-compliance');
    await us.context().close();
    assert.deepEqual(cspViolations, []);
  });
});
