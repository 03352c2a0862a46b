// Notifications in a real browser: Debian's headless Chromium driven by playwright-core,
// against the real `rsm demo` binary. Each test saves a screenshot into docs/screenshots/
// and runs axe-core in the page (no serious or critical violation allowed).
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { axe, base, cspViolations, dataDir, newPage, shot, signIn, useDemo } from './harness.mjs';

useDemo();

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
