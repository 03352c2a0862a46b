// Aid tracking and the yearly humanitarian report in a real browser, against `rsm demo`:
// the aid page draws its three charts (gap, sector × year, donor × recipient) from the
// demo's synthetic flows; a focal point records a flow for its own party and is refused
// one with a negative amount (nothing stored), then reverses it (the row stays, marked);
// the secretariat's draft of this year's report shows withheld cells as "suppressed" with
// the reason; a delegate reads last year's published (frozen) report and gets 404 for this
// year's. The pages pass axe; screenshots docs/screenshots/aid-*.png and report-*.png.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, base, cspViolations, newPage, shot, signIn, useDemo } from './harness.mjs';

useDemo();

describe('aid and the humanitarian report', () => {
  test('the aid page draws its charts; a focal point records a flow; bad input stores nothing', async () => {
    const page = await newPage();
    await signIn(page, 'kr.redcross');
    await page.goto(`${base}/aid?stage=pledge`);
    // kr.redcross reads Korean: the checks below do not depend on the language.
    assert.match(await page.textContent('h1'), /인도적 원조/);
    assert.equal(await page.locator('svg.aid-svg').count(), 3, 'gap, sector × year, matrix');
    assert.ok(await page.locator('.aid-svg rect[class^="aid-s"]').count() > 5, 'stacked sector bars');
    assert.ok(await page.locator('.aid-matrix g.aid-m4').count() >= 1, 'the matrix has its largest cell');
    assert.match(await page.textContent('#aid-gap-overall'), /[\d,]+ USD.*[\d,]+ USD \(\d+ %\).*[\d,]+ USD/);
    await axe(page, 'aid page');
    await shot(page, 'aid-charts');

    const rows = async () => page.locator('#aid-flows-h ~ .table-wrap tbody tr').count();
    const year = new Date().getFullYear();
    await page.goto(`${base}/aid?year=${year}`);
    const before = await rows();
    await page.fill('#f-recipient', 'UNHCR');
    await page.selectOption('#f-sector', 'protection');
    await page.fill('#f-currency', 'USD');
    await page.fill('#f-amount', '-50');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/aid"][method="post"] button[type=submit]')]);
    assert.match(await page.textContent('[role=alert]'), /amount: must not be negative/);
    await axe(page, 'aid page with a refused flow');
    await page.goto(`${base}/aid?year=${year}`);
    assert.equal(await rows(), before, 'nothing stored');

    await page.fill('#f-recipient', 'UNHCR');
    await page.selectOption('#f-sector', 'protection');
    await page.fill('#f-currency', 'USD');
    await page.fill('#f-amount', '25000.00');
    await page.fill('#f-description', 'Browser test pledge');
    await Promise.all([page.waitForURL(/\/aid$/), page.click('form[action="/aid"][method="post"] button[type=submit]')]);
    assert.match(await page.textContent('.flash'), /기록되었습니다/);
    await page.goto(`${base}/aid?year=${year}`);
    assert.equal(await rows(), before + 1);
    assert.match(await page.textContent('#aid-flows-h ~ .table-wrap tbody'), /Browser test pledge/);

    // Reverse it: the row stays, marked, with the reason; the form is gone.
    const row = page.locator('#aid-flows-h ~ .table-wrap tbody tr', { hasText: 'Browser test pledge' });
    await row.locator('summary').click();
    await row.locator('input[name=reason]').fill('Entered by mistake (browser test)');
    await Promise.all([page.waitForURL(/\/aid$/), row.locator('button[type=submit]').click()]);
    assert.match(await page.textContent('.flash'), /취소되었습니다/);
    await page.goto(`${base}/aid?year=${year}`);
    assert.equal(await rows(), before + 1, 'the reversed flow stays listed');
    const reversed = page.locator('#aid-flows-h ~ .table-wrap tbody tr', { hasText: 'Browser test pledge' });
    assert.match(await reversed.textContent(), /Entered by mistake \(browser test\)/);
    assert.equal(await reversed.locator('form').count(), 0, 'reversed once only');
    await axe(page, 'aid page with a reversed flow');
    await shot(page, 'aid-reversal');
  });

  test('the draft marks withheld cells; readers see only the published report', async () => {
    const page = await newPage();
    await signIn(page, 'officer');
    const year = new Date().getFullYear();
    await page.goto(`${base}/reports/humanitarian/${year}`);
    assert.match(await page.textContent('h1'), new RegExp(`Humanitarian report ${year}`));
    assert.match(await page.textContent('#report-draft'), /Draft, not published/);
    assert.match(await page.textContent('#aid-report-suppression'), /shows as "suppressed"/);
    // The demo's five synthetic referrals are all small counts: withheld, never shown.
    const cells = await page.locator('.report-table td').allTextContents();
    assert.ok(cells.some((c) => c.trim() === 'suppressed'), 'some cell is withheld');
    assert.ok(cells.every((c) => !/^[1-4]$/.test(c.trim())), 'no count from 1 to 4 is shown');
    await axe(page, 'humanitarian report draft');
    await shot(page, 'report-humanitarian-draft');

    const reader = await newPage();
    await signIn(reader, 'jp.delegate');
    const hidden = await reader.goto(`${base}/reports/humanitarian/${year}`);
    assert.equal(hidden.status(), 404, 'no draft for a reader');
    await reader.goto(`${base}/reports/humanitarian/${year - 1}`);
    assert.equal(await reader.locator('#report-publication').count(), 1, 'the published record is shown');
    assert.match(await reader.textContent('#report-publication'), /SHA-256 [0-9a-f]{64}/);
    assert.equal(await reader.locator('#report-draft').count(), 0);
    await axe(reader, 'published humanitarian report');
    await shot(reader, 'report-humanitarian');
    assert.deepEqual(cspViolations, []);
  });
});
