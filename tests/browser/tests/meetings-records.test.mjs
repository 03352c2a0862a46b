// The secretariat records what happened at a meeting, in the meeting's local time: the
// opening and closing, and who took the floor under an agenda item; the journal shows them.
// The same pages offer a party's change of participation as a kind of draft decision.
// A delegate sees none of these forms.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, base, cspViolations, newPage, shot, signIn, useDemo } from './harness.mjs';

useDemo();

describe('meeting records', () => {
  test('session times and speakers are recorded and appear in the journal', async () => {
    const officer = await newPage();
    await signIn(officer, 'officer');
    await officer.goto(`${base}/meetings`);
    await officer.selectOption('#m-body', 'ministerial-council');
    await officer.fill('#m-title', 'Council on energy security');
    const year = new Date().getFullYear() + 1;
    await officer.fill('#m-start', `${year}-05-12T10:00`);
    await officer.fill('#m-end', `${year}-05-12T17:00`);
    await officer.fill('#m-tz', 'Europe/Moscow');
    await officer.fill('#m-venue', 'Vladivostok');
    await Promise.all([officer.waitForURL(/\/meetings\/\d+$/), officer.click('form[action="/meetings"] button[type=submit]')]);
    const meetingUrl = officer.url();
    await officer.fill('#i-title', 'Gas interconnectors');
    await officer.fill('#i-min', '60');
    await officer.click('#agenda form button[type=submit]');
    await officer.locator('#agenda tbody tr', { hasText: 'Gas interconnectors' }).waitFor();
    await officer.goto(meetingUrl);

    await officer.fill('#s-open', `${year}-05-12T10:05`);
    await officer.fill('#s-close', `${year}-05-12T16:40`);
    await Promise.all([officer.waitForLoadState('load'), officer.click('form[action$="/session"] button[type=submit]')]);
    assert.equal(await officer.inputValue('#s-open'), `${year}-05-12T10:05`);
    await officer.selectOption('#sp-item', { label: '1 Gas interconnectors' });
    await officer.selectOption('#sp-who', 'RU');
    await officer.fill('#sp-at', `${year}-05-12T10:20`);
    await Promise.all([officer.waitForLoadState('load'), officer.click('form[action$="/speakers"] button[type=submit]')]);
    await axe(officer, 'meeting records (secretariat)');
    await shot(officer, 'meetings-records');

    // The kind of draft: a change of participation, with the party's acceptance.
    await officer.fill('#d-title', 'Participation of the DPRK');
    await officer.fill('#d-text', 'The Council welcomes the participation of the DPRK.');
    await officer.selectOption('#d-kind', 'participation');
    await officer.selectOption('#p-party', 'KP');
    await officer.selectOption('#p-status', 'participating');
    await officer.fill('#p-effective', `${year}-06-01`);
    await officer.check('input[name=p_accepts]');
    await Promise.all([officer.waitForURL(/\/drafts\/\d+$/), officer.click('form[action$="/drafts"] button[type=submit]')]);
    assert.match(await officer.textContent('main'), /KP participating from/);

    await officer.goto(`${meetingUrl}/journal`);
    const journal = await officer.textContent('article.journal');
    assert.match(journal, /10:05/);
    assert.match(journal, /16:40/);
    assert.match(journal, /RU/);
    await axe(officer, 'journal with records');

    // Editing the meeting: the form starts from the current revision.
    await officer.goto(`${meetingUrl}/edit`);
    await axe(officer, 'meeting edit');
    assert.equal(await officer.inputValue('#e-start'), `${year}-05-12T10:00`);
    await officer.fill('#e-venue', 'Khabarovsk');
    await Promise.all([officer.waitForURL(meetingUrl), officer.click('form[action$="/edit"] button[type=submit]')]);
    assert.match(await officer.textContent('dl.facts'), /Khabarovsk/);

    const delegate = await newPage();
    await signIn(delegate, 'kr.delegate');
    await delegate.goto(meetingUrl);
    assert.equal(await delegate.locator('form[action$="/session"]').count(), 0);
    assert.equal(await delegate.locator('form[action$="/speakers"]').count(), 0);
    assert.equal(await delegate.locator('a[href$="/edit"]').count(), 0);
    // A document's page with its version history passes axe too.
    await delegate.goto(`${base}/documents/1`);
    assert.match(await delegate.textContent('h1'), /MC\./);
    await delegate.locator('#document-history').waitFor();
    await axe(delegate, 'document');
    await officer.context().close();
    await delegate.context().close();
  });

  test('no Content-Security-Policy violation on the meeting record pages', () => {
    assert.deepEqual(cspViolations, []);
  });
});
