// Family tracing in a real browser, against the real `rsm demo`: the KR Red Cross focal point
// imports a list (one bad row reported with its line, the rest kept), runs the matcher, reads
// a candidate's explanation in the review queue and accepts it; a delegate sees none of it.
// Screenshots: docs/screenshots/kin-*.png.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, base, cspViolations, newPage, shot, signIn, useDemo } from './harness.mjs';

useDemo();

// Two new (synthetic) tracing requests and one bad row (an impossible birth year).
const UPLOAD = [
  'request_id,applicant_id,applicant_name,applicant_birth_date,sought_name,sought_sex,sought_birth_year,relationship,sought_father_name,hometown_province,hometown_county,hometown_township,hometown_village,registration_date',
  'S9001,A9001,정영희,1936-04-02,정광일,M,1933,brother,정창호,황해,옹진,,,2019-05-10',
  'S9002,A9002,한춘자,1938-11-20,한영남,M,19x1,brother,,평북,영변,,,2019-05-10',
  'S9003,A9003,윤금순,1941-07-07,윤동수,M,1939,brother,윤익수,함남,함주,,,2019-05-11',
].join('\n') + '\n';

describe('family tracing registry', () => {
  test('a focal point imports a list, runs the matcher, reviews a candidate with its explanation and accepts it', async () => {
    const page = await newPage();
    await signIn(page, 'kr.redcross');
    await page.goto(`${base}/kin`);
    assert.match(await page.textContent('h1'), /KR/);
    assert.match(await page.textContent('.kin-counts'), /50/);
    // KP does not participate in the demo: the exchange is closed and the page says why.
    assert.match(await page.textContent('.kin-closed'), /KP/);
    await axe(page, 'kin registry');
    await shot(page, 'kin-registry');

    await page.goto(`${base}/kin/import`);
    await page.selectOption('#f-kind', 'request');
    await page.check('input[name=policy][value=skip]');
    await page.setInputFiles('#f-file', { name: 'requests-2019.csv', mimeType: 'text/csv', buffer: Buffer.from(UPLOAD) });
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/kin/import"] button[type=submit]')]);
    const outcome = await page.textContent('.kin-outcome');
    assert.match(outcome, /2/);
    assert.equal(await page.locator('.kin-bad tbody tr').count(), 1);
    assert.equal((await page.textContent('.kin-bad tbody th')).trim(), '3');
    assert.match(await page.textContent('.kin-bad tbody td'), /19x1/);
    await axe(page, 'kin import with a bad row');
    await shot(page, 'kin-import');
    await page.goto(`${base}/kin`);
    assert.match(await page.textContent('.kin-counts'), /52/);

    await page.goto(`${base}/kin/runs`);
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/kin/runs"] button[type=submit]')]);
    // The run goes on in the background; the table refreshes itself (htmx) until it ends.
    await page.locator('#kin-runs tbody tr:first-child .kin-run-finished').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#kin-runs tbody tr').count(), 2);
    await axe(page, 'kin runs');
    await shot(page, 'kin-runs');

    await page.goto(`${base}/kin/review`);
    const first = page.locator('article.kin-candidate').first();
    await first.waitFor();
    const title = (await first.locator('h2').textContent()).trim();
    const pair = title.match(/(S\d+) ↔ (N\d+)/);
    assert.ok(pair, title);
    assert.ok((await first.locator('.kin-evidence tbody tr').count()) >= 3, 'evidence rows');
    assert.match(await first.locator('.kin-summary').textContent(), /surname/);
    await axe(page, 'kin review queue');
    await shot(page, 'kin-review');
    await first.locator('input[name=note]').first().fill('confirmed with the applicant');
    await Promise.all([page.waitForLoadState('load'), first.locator('button[value=accept]').click()]);
    // Accepted: out of the queue, shown as accepted among all candidates.
    assert.equal(await page.locator('article.kin-candidate h2', { hasText: `${pair[1]} ↔ ${pair[2]}` }).count(), 0);
    await page.goto(`${base}/kin/review?filter=all`);
    const done = page.locator('article.kin-candidate', { hasText: `${pair[1]} ↔ ${pair[2]}` });
    assert.equal(await done.locator('.kin-status-accept').count(), 1);
    assert.match(await done.locator('.kin-history').textContent(), /confirmed with the applicant/);
    assert.deepEqual(cspViolations, []);
  });

  test('a focal point fixes a reunion draw, sees it seeded by the next checkpoint, and can download what verifies it', async () => {
    const page = await newPage();
    await signIn(page, 'kr.redcross');
    await page.goto(`${base}/kin/draws`);
    // The demo's own draw is there and drawn (its checkpoint came seconds after start).
    assert.match(await page.textContent('#kin-draws-h + *'), /Reunion round 1/);
    await page.fill('#draw-title', 'Reunion round 2 (browser test)');
    await page.fill('#draw-count', '5');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/kin/draws"] button[type=submit]')]);
    assert.match(await page.textContent('h1'), /Reunion round 2/);
    // The page refreshes itself (htmx) until the next witnessed checkpoint gives the seed.
    await page.locator('#kin-draw .kin-draw-drawn').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#kin-draw-result-h + .table-wrap tbody tr').count(), 5);
    assert.match(await page.textContent('pre'), /rsm kin verify-draw/);
    const links = await page.locator('.kin-draw-files a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.length, 7);
    const result = await page.request.get(`${base}${links.find((l) => l.endsWith('result.csv'))}`);
    assert.equal(result.status(), 200);
    assert.match(await result.text(), /^# rsm-kin-draw\/v1/);
    await axe(page, 'kin draw');
    await shot(page, 'kin-draw');
    // Bad input: named, and nothing is fixed.
    await page.goto(`${base}/kin/draws`);
    const before = await page.locator('#kin-draws-h + * tbody tr').count();
    await page.fill('#draw-title', 'Too many');
    await page.fill('#draw-count', '5000');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/kin/draws"] button[type=submit]')]);
    assert.match(await page.textContent('[role=alert]'), /count/);
    assert.equal(await page.locator('#kin-draws-h + * tbody tr').count(), before);
    await axe(page, 'kin draw refused');
    assert.deepEqual(cspViolations, []);
  });

  test('a delegate cannot see any of it', async () => {
    const page = await newPage();
    await signIn(page, 'kr.delegate');
    await page.goto(`${base}/`);
    assert.equal(await page.locator('nav a[href="/kin"]').count(), 0, 'no link in the navigation');
    for (const path of ['/kin', '/kin/review', '/kin/runs', '/kin/import', '/kin/draws', '/kin/draws/1']) {
      const r = await page.goto(`${base}${path}`);
      assert.equal(r.status(), 404, path);
      const text = await page.textContent('main');
      assert.doesNotMatch(text, /S0001|N0001|김|리/, `${path} leaks nothing`);
    }
    const api = await page.request.get(`${base}/api/v1/kin/candidates`);
    assert.equal(api.status(), 404);
    await axe(page, 'kin 404 for a delegate');
    await shot(page, 'kin-delegate-404');
  });
});
