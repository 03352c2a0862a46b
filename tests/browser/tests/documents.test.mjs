// Documents: the secretariat creates a document under the next symbol of a series, issues
// its original from an uploaded file, requests a Korean translation and issues it; a
// delegate finds it in the list with the search; a delegate of a party outside the
// restricted peace-regime talks sees none of their documents (not in the list, not as a
// filter, not by address). Every page passes axe; the list is the screenshot
// docs/screenshots/documents-list.png.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, base, cspViolations, newPage, shot, signIn, useDemo } from './harness.mjs';

useDemo();

describe('documents', () => {
  test('create, translate and issue; members and outsiders see what they may', async () => {
    const officer = await newPage();
    await signIn(officer, 'officer');
    await officer.goto(`${base}/documents`);
    await axe(officer, 'document list (secretariat)');
    await Promise.all([officer.waitForURL(/\/documents\/new$/), officer.click('a[href="/documents/new"]')]);
    await axe(officer, 'new document form');

    // Bad input is refused with the field named, and the values are kept.
    await officer.selectOption('#f-body', 'ministerial-council');
    await officer.fill('#f-series', 'GAL');
    await officer.selectOption('#f-prefix', 'SEC');
    await officer.fill('#f-title', '');
    await Promise.all([officer.waitForLoadState('load'), officer.click('form[action="/documents"] button[type=submit]')]);
    await officer.locator('#f-title-error').waitFor();
    assert.equal(await officer.inputValue('#f-series'), 'GAL');
    await axe(officer, 'new document form with an error');

    await officer.fill('#f-title', 'Calendar of the ministerial year');
    await officer.selectOption('#f-language', 'en');
    await Promise.all([officer.waitForURL(/\/documents\/\d+$/), officer.click('form[action="/documents"] button[type=submit]')]);
    const docUrl = officer.url();
    const symbol = (await officer.textContent('h1')).trim().split(/\s+/)[0];
    assert.match(symbol, /^SEC\.GAL\/\d+\/\d\d$/, 'the next number of the series, this year');
    assert.notEqual(symbol.split('/')[1], '1', 'the demo already has SEC.GAL/1');

    // Issue the original from a file: its SHA-256 is shown with its log entry.
    await officer.setInputFiles('#issue-file-en', {
      name: 'calendar-en.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Calendar of the ministerial year (browser test).\n'),
    });
    await Promise.all([officer.waitForLoadState('load'), officer.click('form[action$="/issue"]:has(#issue-file-en) button[type=submit]')]);
    const enRow = officer.locator('#language-versions tbody tr', { hasText: 'English' });
    assert.match(await enRow.textContent(), /issued/);
    assert.match(await enRow.locator('code').textContent(), /^[0-9a-f]{64}$/);

    // A Korean translation: requested, then issued after the original.
    await officer.selectOption('#tr-language', 'ko');
    await Promise.all([officer.waitForLoadState('load'), officer.click('#translation-form button[type=submit]')]);
    const koRow = officer.locator('#language-versions tbody tr', { hasText: 'Korean' });
    assert.match(await koRow.textContent(), /in translation/);
    await axe(officer, 'document page with the secretariat forms');
    await officer.setInputFiles('#issue-file-ko', {
      name: 'calendar-ko.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('각료 연도 일정 (브라우저 테스트).\n'),
    });
    await Promise.all([officer.waitForLoadState('load'), officer.click('form[action$="/issue"]:has(#issue-file-ko) button[type=submit]')]);
    assert.match(await officer.locator('#language-versions tbody tr', { hasText: 'Korean' }).textContent(), /issued/);
    assert.equal(await officer.locator('#document-history code').count(), 2, 'both issued versions in the history');

    await officer.goto(`${base}/documents`);
    await officer.locator('#documents-table').waitFor();
    await shot(officer, 'documents-list');

    // A delegate of a member of the peace talks finds the new document with the search,
    // and sees the talks' paper.
    const kr = await newPage();
    await signIn(kr, 'kr.delegate');
    await kr.goto(`${base}/documents?q=${encodeURIComponent('ministerial year')}`);
    const krFound = await kr.textContent('#documents-table');
    assert.ok(krFound.includes(symbol), krFound);
    await kr.goto(`${base}/documents`);
    const prtLink = kr.locator('#documents-table a', { hasText: /^PRT\.INF\// });
    assert.equal(await prtLink.count(), 1);
    const prtHref = await prtLink.getAttribute('href');
    await axe(kr, 'document list (delegate, Korean)');

    // A delegate of a party outside the talks: no trace of them.
    const jp = await newPage();
    await signIn(jp, 'jp.delegate');
    await jp.goto(`${base}/documents`);
    const jpList = await jp.textContent('main');
    assert.ok(jpList.includes(symbol), 'the public document is listed');
    assert.ok(!jpList.includes('PRT'), jpList);
    assert.equal(await jp.locator('#f-body option[value="peace-regime-talks"]').count(), 0);
    await jp.goto(`${base}/documents?q=PRT`);
    await jp.locator('#documents-empty').waitFor();
    const hidden = await jp.goto(`${base}${prtHref}`);
    assert.equal(hidden.status(), 404);
    const jpDoc = await jp.goto(docUrl);
    assert.equal(jpDoc.status(), 200);
    assert.equal(await jp.locator('form[action$="/issue"], #translation-form').count(), 0, 'no secretariat forms');
    await axe(jp, 'document page (delegate)');

    // The account page's e-mail notices form.
    await jp.goto(`${base}/me`);
    await jp.fill('#f-mail-address', 'jp.delegate@example.org');
    await jp.check('input[name=mode][value=digest]');
    await Promise.all([jp.waitForLoadState('load'), jp.click('form[action="/me/mail"] button[type=submit]')]);
    assert.equal(await jp.inputValue('#f-mail-address'), 'jp.delegate@example.org');
    assert.ok(await jp.isChecked('input[name=mode][value=digest]'));
    await axe(jp, 'account page with e-mail notices');

    await officer.context().close();
    await kr.context().close();
    await jp.context().close();
  });

  test('no Content-Security-Policy violation on the document pages', () => {
    assert.deepEqual(cspViolations, []);
  });
});
