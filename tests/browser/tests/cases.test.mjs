// Humanitarian case referral in a real browser, against the real `rsm demo`: Korea's focal
// point refers a case with the person's consent (after the form refuses it without the
// consent date, next to the field); Japan's focal point sees only the referred fields and
// accepts it; a delegate of a third party (the United States) sees nothing of it — an empty
// list, and the same 404 as a missing case. Screenshots: docs/screenshots/cases-*.png.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, base, cspViolations, newPage, shot, signIn, useDemo } from './harness.mjs';

useDemo();

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('humanitarian case referral', () => {
  test('a focal point refers with consent, the other party accepts, a third party sees nothing', async () => {
    const kr = await newPage();
    await signIn(kr, 'kr.redcross');
    await kr.goto(`${base}/cases`);
    await axe(kr, 'cases list (referring)');
    await kr.click('#cases-new');
    await Promise.all([kr.waitForURL(/type=trafficking-victim/), kr.click('a[href="/cases/new?type=trafficking-victim"]')]);
    await kr.selectOption('#c-receiving', 'JP');
    await kr.fill('#f-given_name', 'Browser');
    await kr.fill('#f-family_name', 'Synthetic-Test-Person');
    await kr.selectOption('#f-sex', 'female');
    await kr.selectOption('#f-age_group', 'adult');
    await kr.fill('#f-nationality', 'PH');
    await kr.fill('#f-date_identified', day(-1));
    await kr.selectOption('#f-exploitation', 'labour');
    await kr.selectOption('#f-immediate_need', 'shelter');
    await kr.fill('#f-internal_reference', 'KR-TV-BROWSER-9');
    await kr.fill('#f-identified_by', 'Synthetic outreach team');
    await kr.fill('#c-by', 'Caseworker Browser-Kim (synthetic)');
    await axe(kr, 'referral form');
    // Without the consent's date the referral is refused, next to the field, and kept.
    await Promise.all([kr.waitForLoadState('load'), kr.click('#case-submit')]);
    assert.ok(await kr.locator('#c-on-error').isVisible(), 'the consent date is asked for');
    assert.equal(await kr.inputValue('#f-family_name'), 'Synthetic-Test-Person');
    await axe(kr, 'referral form with an error');
    await shot(kr, 'cases-consent-required');
    await kr.fill('#c-on', day(0));
    await Promise.all([kr.waitForURL(/\/cases\/\d+$/), kr.click('#case-submit')]);
    const caseUrl = kr.url();
    assert.match(await kr.getAttribute('#case-status', 'class'), /case-referred/);
    assert.match(await kr.textContent('#case-fields'), /KR-TV-BROWSER-9/, 'the referring side sees its own file number');
    await axe(kr, 'case (referring)');
    await shot(kr, 'cases-referred');

    const jp = await newPage();
    await signIn(jp, 'jp.redcross');
    await jp.goto(`${base}/`);
    assert.ok(await jp.locator(`a[href="${new URL(caseUrl).pathname}"]`).count() >= 1, 'the dashboard reminds of the answer due');
    await shot(jp, 'cases-dashboard-reminder');
    await jp.goto(`${base}/cases`);
    const row = jp.locator('#cases-table tbody tr', { has: jp.locator(`a[href="${new URL(caseUrl).pathname}"]`) });
    assert.match(await row.textContent(), /KR → JP/);
    assert.ok(await row.locator('.urgency-due-soon').count() === 1, 'a two-day answer is due soon');
    await axe(jp, 'cases list (receiving)');
    await shot(jp, 'cases-list');
    await jp.goto(caseUrl);
    const seen = await jp.textContent('main');
    assert.match(seen, /Synthetic-Test-Person/);
    for (const hidden of ['KR-TV-BROWSER-9', 'Synthetic outreach team', 'Browser-Kim']) {
      assert.ok(!seen.includes(hidden), `${hidden} is not referred`);
    }
    await Promise.all([jp.waitForLoadState('load'), jp.click('#case-accept')]);
    assert.match(await jp.getAttribute('#case-status', 'class'), /case-accepted/);
    assert.ok(await jp.locator('#case-progress').isVisible(), 'the next step is a progress note');
    await axe(jp, 'case (receiving, accepted)');
    await shot(jp, 'cases-accepted');

    const us = await newPage();
    await signIn(us, 'us.delegate');
    await us.goto(`${base}/cases`);
    assert.ok(await us.locator('#cases-empty').isVisible(), 'a third party lists nothing');
    assert.equal(await us.locator('#cases-table').count(), 0);
    const hidden = await us.goto(caseUrl);
    const missing = await us.goto(`${base}/cases/987654`);
    assert.equal(hidden.status(), 404);
    assert.equal(missing.status(), 404);
    const api = await us.request.get(`${base}/api/v1/cases/${caseUrl.split('/').pop()}`);
    assert.equal(api.status(), 404);
    assert.deepEqual(await (await us.request.get(`${base}/api/v1/cases`)).json(), []);
    await us.goto(`${base}/`);
    assert.ok(!(await us.textContent('main')).includes('Synthetic-Test-Person'));
    assert.deepEqual(cspViolations, []);
    for (const p of [kr, jp, us]) await p.context().close();
  });
});
