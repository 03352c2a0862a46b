// The economic working group's planning in a real browser, against the real `rsm demo`:
// a planner writes a scenario, runs it and watches the progress until the plan appears,
// compares it with the demo's base case side by side, and attaches the result to the
// working group's agenda. A delegate sees the plans but none of the planner's forms.
//
// Environment: RSM_BIN (the rsm binary), CHROMIUM (default /usr/bin/chromium).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, base, newPage, shot, signIn, useDemo } from './harness.mjs';

useDemo();

describe('energy planning', () => {
  test('a planner writes and runs a scenario, compares it and attaches the result', async () => {
    const page = await newPage();
    // The Chinese planner's pages are in Chinese: labels below are the zh catalogue's.
    await signIn(page, 'cn.energy');
    await page.goto(`${base}/energy/runs`);
    await axe(page, 'energy runs');
    // The demo has solved the base case and two scenarios.
    assert.ok(await page.locator('td', { hasText: 'no-KP-transit' }).count() >= 1);

    // A scenario with a typo is refused next to the form, and nothing is stored.
    await page.fill('#scenario-name', 'Sakhalin cut');
    await page.fill('#scenario-toml', 'cut_supplies = ["Sakalin"]\n');
    await page.click('form[action="/energy/scenarios"] button[type=submit]');
    await page.locator('.alert', { hasText: 'Sakalin' }).waitFor();
    assert.equal(await page.locator('a', { hasText: 'Sakhalin cut' }).count(), 0);

    // Fixed: demand grows a fifth in Korea.
    await page.fill('#scenario-name', 'KR demand +20 %');
    await page.fill('#scenario-toml', '[demand_factor]\nKR = 1.2\n');
    await Promise.all([page.waitForURL(/\/energy\/runs$/), page.click('form[action="/energy/scenarios"] button[type=submit]')]);
    await Promise.all([
      page.waitForURL(/\/energy\/runs\/\d+$/),
      page.click('button[aria-label$=": KR demand +20 %"]'),
    ]);
    const runUrl = page.url();
    // htmx polls the progress and reloads the page once the plan is there.
    await page.locator('figure.energy-map svg').waitFor({ timeout: 120_000 });
    assert.match(await page.textContent('h1'), /KR demand \+20 %/);
    assert.ok(await page.locator('th', { hasText: '剩余灵活性' }).count() === 1);
    await axe(page, 'energy run');

    // Attach the result to the working group's agenda item.
    const item = await page.locator('#attach-target option', { hasText: 'Pipeline scenarios' }).first().getAttribute('value');
    await page.selectOption('#attach-target', item);
    await Promise.all([page.waitForURL(runUrl), page.click('form[action$="/attach"] button[type=submit]')]);
    await page.locator('section a', { hasText: 'Pipeline scenarios' }).first().waitFor();
    await shot(page, 'energy-run');

    // Side by side with the base case.
    await page.goto(`${base}/energy/runs`);
    const runId = runUrl.split('/').pop();
    const baseRow = page.locator('tr', { hasText: '基准情景' }).filter({ has: page.locator('input[type=checkbox]') }).first();
    await baseRow.locator('input[type=checkbox]').check();
    await page.check(`#cmp-${runId}`);
    await Promise.all([page.waitForURL(/\/energy\/compare\?/), page.click('form[action="/energy/compare"] button[type=submit]')]);
    assert.ok(await page.locator('tr.differs').count() >= 1, 'the scenario changes something');
    await axe(page, 'energy compare');
    await shot(page, 'energy-compare');
  });

  test('a delegate reads the plans but cannot plan', async () => {
    const page = await newPage();
    await signIn(page, 'kr.delegate');
    await page.goto(`${base}/energy/runs`);
    assert.equal(await page.locator('form[action="/energy/scenarios"]').count(), 0);
    assert.equal(await page.locator('form[action="/energy/runs"]').count(), 0);
    const first = page.locator('a[href^="/energy/runs/"]').first();
    await Promise.all([page.waitForURL(/\/energy\/runs\/\d+$/), first.click()]);
    assert.equal(await page.locator('#attach-target').count(), 0);
  });
});
