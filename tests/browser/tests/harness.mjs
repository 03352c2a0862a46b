// The browser tests' shared harness: starts the real `rsm demo` (port 0) and Debian's
// headless Chromium once per test file, and gives the helpers every test uses (a page that
// records CSP violations, sign-in, axe-core, screenshots). Each *.test.mjs file calls
// `useDemo()` at its top.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { after, before } from 'node:test';
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
export const shots = join(root, 'docs', 'screenshots');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const RSM_BIN = process.env.RSM_BIN || join(root, 'target', 'debug', 'rsm');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let server; let browser;
/** The demo's URL and data folder (live bindings, set before the tests run). */
export let base;
export let dataDir;
export const passwords = {};
export const cspViolations = [];

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

export async function newPage(options = {}) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(`${page.url()}: ${msg.text()}`);
  });
  return page;
}

export async function signIn(page, user, password = passwords[user]) {
  await page.goto(`${base}/sign-in`);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/sign-in"] button[type=submit]')]);
}

/** Runs axe-core in the page; fails on serious or critical violations. */
export async function axe(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe on ${what}`,
  );
}

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Registers the hooks that start the demo and the browser, and stop them. */
export function useDemo() {
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
}
