// RSM's pages in a real browser: Debian's headless Chromium driven by playwright-core,
// against the real `rsm demo` binary. Each test saves a screenshot into docs/screenshots/
// and runs axe-core in the page (no serious or critical violation allowed).
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, base, cspViolations, newPage, passwords, shot, signIn, useDemo } from './harness.mjs';

useDemo();

describe('RSM pages', () => {
  test('sign-in: a wrong password is refused, the right one opens the dashboard', async () => {
    const page = await newPage();
    await page.goto(`${base}/sign-in`);
    await axe(page, 'sign-in');
    await page.fill('#username', 'admin');
    await page.fill('#password', 'not-the-password');
    await page.click('form[action="/sign-in"] button[type=submit]');
    await page.waitForSelector('#signin-error');
    assert.match(await page.textContent('#signin-error'), /not right/);
    assert.equal(await page.inputValue('#username'), 'admin', 'the user name is kept');
    assert.equal(await page.inputValue('#password'), '', 'the password is not echoed');
    await shot(page, '01-sign-in-wrong-password');
    await page.fill('#password', passwords.admin);
    await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/sign-in"] button[type=submit]')]);
    assert.equal(await page.textContent('h1'), 'Dashboard');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'rsm_session');
    assert.ok(cookie.httpOnly, 'session cookie is HttpOnly');
    assert.equal(cookie.sameSite, 'Lax');
    await page.context().close();
  });

  test('dashboard: my bodies, what is due, every party, recent entries', async () => {
    const page = await newPage();
    await signIn(page, 'admin');
    const response = await page.goto(`${base}/`);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(await page.locator('#mine-h').count(), 1);
    // The secretariat sees every open action item (the demo's Council left one to KR).
    assert.match(await page.locator('section:has(#due-h)').textContent(), /national launch calendar/);
    const partyRows = page.locator('section:has(#parties-h) tbody tr');
    assert.equal(await partyRows.count(), 6);
    assert.match(await partyRows.filter({ hasText: 'KP' }).textContent(), /Invited/);
    assert.ok(await page.locator('.feed li').count() > 0, 'recent entries are shown');
    assert.match(await page.textContent('footer'), /Asia\/Seoul/, 'times in the account time zone');
    await axe(page, 'dashboard');
    await shot(page, '02-dashboard');
    await page.goto(`${base}/parties`);
    assert.equal(await page.locator('.timeline svg').count(), 6);
    await axe(page, 'parties');
    await shot(page, '03-parties');
    await page.goto(`${base}/audit`);
    assert.ok(await page.locator('#audit-results tbody tr').count() > 0);
    // The filter: htmx swaps the results in place and puts the query in the address.
    await page.fill('#f-action', 'session.sign-in');
    await Promise.all([page.waitForURL(/action=session.sign-in/), page.click('form.filters button')]);
    const actions = await page.locator('#audit-results tbody td:nth-child(4)').allTextContents();
    assert.ok(actions.length > 0 && actions.every((a) => a === 'session.sign-in'), `filtered: ${actions}`);
    assert.equal(await page.evaluate(() => typeof globalThis.htmx), 'object', 'htmx is loaded');
    await axe(page, 'audit');
    await page.goto(`${base}/people`);
    assert.ok(await page.locator('tbody tr').count() >= 8);
    await axe(page, 'people');
    await page.context().close();
  });

  test('a member sees the restricted body', async () => {
    const page = await newPage();
    await signIn(page, 'kr.delegate');
    await page.goto(`${base}/bodies`);
    const link = page.locator('a[href="/bodies/peace-regime-talks"]');
    assert.equal(await link.count(), 1);
    await axe(page, 'bodies (member)');
    await Promise.all([page.waitForURL(/peace-regime-talks$/), link.click()]);
    assert.match(await page.textContent('h1'), /Peace Regime/);
    assert.match(await page.textContent('.facts'), /CN, KP, KR, US/);
    await axe(page, 'restricted body (member)');
    await shot(page, '04-member-sees-restricted-body');
    await page.goto(`${base}/`);
    assert.match(await page.textContent('section:has(#mine-h)'), /Peace Regime/);
    await page.context().close();
  });

  test('an outsider sees neither the restricted body nor its name, anywhere', async () => {
    const page = await newPage();
    await signIn(page, 'jp.delegate');
    const secret = /peace-regime|Peace Regime/i;
    for (const path of ['/', '/bodies', '/parties', '/tokens', '/me']) {
      await page.goto(`${base}${path}`);
      assert.doesNotMatch(await page.content(), secret, `${path} leaks the restricted body`);
    }
    const search = await page.request.get(`${base}/api/v1/search?q=peace`);
    assert.equal(search.status(), 200);
    assert.doesNotMatch(await search.text(), secret, 'search leaks');
    const hidden = await page.goto(`${base}/bodies/peace-regime-talks`);
    assert.equal(hidden.status(), 404);
    const hiddenText = await page.textContent('main');
    assert.doesNotMatch(await page.content(), secret);
    await axe(page, '404 page');
    await shot(page, '05-outsider-gets-404');
    const missing = await page.goto(`${base}/bodies/no-such-body`);
    assert.equal(missing.status(), 404);
    assert.equal(await page.textContent('main'), hiddenText, 'the same page as for a missing body');
    const edit = await page.goto(`${base}/bodies/peace-regime-talks/edit`);
    assert.equal(edit.status(), 404);
    await page.context().close();
  });

  test('switching the language to Korean', async () => {
    const page = await newPage();
    await signIn(page, 'us.delegate');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.selectOption('#lang-select', 'ko');
    await Promise.all([page.waitForLoadState('load'), page.click('form.lang button')]);
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    assert.equal(await page.textContent('h1'), '대시보드');
    assert.match(await page.textContent('nav'), /기구/);
    assert.match(await page.textContent('section:has(#parties-h)'), /대한민국/);
    assert.match(await page.textContent('footer'), /America\/New_York/);
    await axe(page, 'dashboard in Korean');
    await shot(page, '06-dashboard-korean');
    // The choice is the account's: a new sign-in keeps it.
    const again = await newPage();
    await signIn(again, 'us.delegate');
    assert.equal(await again.getAttribute('html', 'lang'), 'ko');
    await again.context().close();
    // Signed out, Accept-Language decides.
    const visitor = await newPage({ locale: 'ko-KR', extraHTTPHeaders: { 'Accept-Language': 'ko-KR,ko;q=0.9' } });
    await visitor.goto(`${base}/sign-in`);
    assert.equal(await visitor.getAttribute('html', 'lang'), 'ko');
    assert.equal(await visitor.textContent('h1'), '로그인');
    await visitor.context().close();
    await page.context().close();
  });

  test('a form rejects bad input with the message next to the field', async () => {
    const page = await newPage();
    await signIn(page, 'officer');
    await page.goto(`${base}/bodies/new`);
    await page.fill('#f-id', 'Bad Id!');
    await page.fill('#f-name', 'Trilateral Talks');
    await page.fill('#f-reason', 'MC.DEC/3/26');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/bodies/new') && r.request().method() === 'POST'),
      page.click('form.card button[type=submit]'),
    ]);
    assert.equal(response.status(), 422);
    const idField = page.locator('.field:has(#f-id)');
    assert.match(await idField.locator('.field-error').textContent(), /2–40 characters/);
    assert.equal(await page.getAttribute('#f-id', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#f-id', 'aria-describedby'), /f-id-error/);
    assert.equal(await page.inputValue('#f-name'), 'Trilateral Talks', 'typed values are kept');
    await axe(page, 'body form with errors');
    await shot(page, '07-form-rejects-bad-input');
    // A restricted body without members: the message is by the members.
    await page.fill('#f-id', 'trilateral-talks');
    await page.selectOption('#f-visibility', 'restricted');
    await page.click('form.card button[type=submit]');
    await page.waitForSelector('#f-members-error');
    assert.match(await page.textContent('#f-members-error'), /member parties/);
    // Then right: the body is created.
    await page.uncheck('input[name=all_members]');
    for (const p of ['CN', 'KR', 'US']) await page.check(`input[name=members][value=${p}]`);
    await page.fill('#f-rotation', 'KR, US, CN');
    await Promise.all([page.waitForURL(/\/bodies\/trilateral-talks$/), page.click('form.card button[type=submit]')]);
    assert.match(await page.textContent('.flash'), /created/);
    // A retroactive participation change is refused next to the date.
    await page.goto(`${base}/parties/KP`);
    await page.fill('#f-effective', '2026-01-02');
    await page.fill('#f-basis', 'MC.DEC/9/26');
    await page.click('form[action$="/participation"] button');
    await page.waitForSelector('#f-effective-error');
    assert.match(await page.textContent('.field:has(#f-effective) .field-error'), /before today/);
    await page.context().close();
  });

  test('tokens: created and shown once, then revoked', async () => {
    const page = await newPage();
    await signIn(page, 'ru.auditor');
    await page.goto(`${base}/tokens`);
    await page.fill('#f-tname', 'ru-mirror');
    await page.click('form[action="/tokens"] button');
    const token = await page.textContent('.token-once code');
    assert.match(token, /^rsm_/);
    const api = await page.request.get(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(api.status(), 200);
    await page.goto(`${base}/tokens`);
    assert.doesNotMatch(await page.content(), new RegExp(token), 'never shown again');
    await axe(page, 'tokens');
    await Promise.all([page.waitForURL(`${base}/tokens`), page.click('form[action$="/revoke"] button')]);
    assert.match(await page.textContent('.flash'), /отозван/, 'the Russian auditor reads Russian');
    const after = await page.request.get(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(after.status(), 401);
    await page.context().close();
  });

  test('phone width: the dashboard fits 390 px', async () => {
    const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(page, 'kr.delegate');
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    await axe(page, 'dashboard on a phone');
    await shot(page, '08-dashboard-phone');
    await page.context().close();
  });

  test('keyboard: the skip link and visible focus', async () => {
    const page = await newPage();
    await page.goto(`${base}/sign-in`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    const unknown = await page.goto(`${base}/no/such/page`);
    assert.equal(unknown.status(), 404);
    assert.equal(await page.textContent('h1'), 'Page not found');
    await page.context().close();
  });

  test('energy: the gas network map with the plan, for an energy planner', async () => {
    const page = await newPage();
    await signIn(page, 'cn.energy');
    await page.goto(`${base}/energy`);
    await page.waitForSelector('figure.energy-map svg');
    const nodes = await page.locator('figure.energy-map g.node').count();
    assert.ok(nodes >= 14, `every bus of the network is drawn (${nodes})`);
    const built = await page.locator('figure.energy-map line.pipe.new:not(.flow-candidate)').count();
    assert.ok(built >= 1, 'the plan builds at least one new pipeline, drawn dashed');
    assert.ok((await page.locator('table').count()) >= 2, 'builds and N-1 tables');
    await axe(page, 'energy');
    await shot(page, '14-energy-map');
    await page.context().close();
  });

  test('no Content-Security-Policy violation on any page', () => {
    assert.deepEqual(cspViolations, []);
  });
});
