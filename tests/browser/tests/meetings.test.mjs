// Meetings, agendas, drafts and journals in a real browser, against the real `rsm demo`:
// the secretariat schedules a meeting and builds its agenda; a delegate proposes an item
// and objects to a draft; the journal shows both. The demo Council's journal is saved as a
// screenshot (docs/screenshots/journal.png) and printed to PDF.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { axe, base, cspViolations, newPage, shot, shots, signIn, useDemo } from './harness.mjs';

useDemo();

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
