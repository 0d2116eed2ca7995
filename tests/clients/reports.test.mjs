// The HTML reports in headless Chromium: each kind rendered from the shipped
// bank through the real `exam` pipeline (assemble, simulate, score,
// calibrate, record-params into a copy of the bank), then checked: no
// console errors, no request leaves the file, no script, every plot has a
// size, a title and a description, the page reads without JavaScript, and
// the numbers in the DOM equal the JSON of the commands that compute them.
// Screenshots of the first screen and of one section go to $CLIENTS_OUT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, cpSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { launch, openPage } from './browser.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const EXAM = process.env.EXAM_BIN;
const ROOT = process.env.EXAM_ROOT;
const OUT = process.env.CLIENTS_OUT;
const dir = mkdtempSync(join(tmpdir(), 'exam-reports-'));
const at = (name) => join(dir, name);

/** Runs `exam` from the repository root; returns stdout. */
function exam(...args) {
  return execFileSync(EXAM, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

let browser;
const data = {};

before(async () => {
  exam('assemble', '--forms', '3', '--seed', '1', '--max-overlap', '0.3', '--out', at('forms.json'));
  exam('simulate', '--forms', at('forms.json'), '--candidates', '1500', '--seed', '7', '--out', at('raw.csv'));
  exam('score', '--forms', at('forms.json'), '--responses', at('raw.csv'), '--scored-out', at('scored.csv'), '--format', 'csv');
  writeFileSync(at('calibration.json'), exam('calibrate', '--model', '2pl', '--responses', at('scored.csv'), '--format', 'json'));
  cpSync(join(ROOT, 'item-bank'), at('bank'), { recursive: true });
  exam('record-params', '--bank', at('bank'), '--params', at('calibration.json'), '--dataset', 'simulated', '--date', '2026-12-02');
  exam('score', '--forms', at('forms.json'), '--responses', at('raw.csv'), '--blueprint', 'item-bank/blueprints/die-2026.json',
    '--params', at('calibration.json'), '--out', at('reports.json'), '--format', 'csv');
  data.analysis = JSON.parse(exam('analyze', '--raw', at('raw.csv'), '--forms', at('forms.json'), '--cut', '42', '--format', 'json'));
  data.calibration = JSON.parse(readFileSync(at('calibration.json'), 'utf8'));
  data.coverage = JSON.parse(exam('coverage', '--forms', at('forms.json'), '--bank', at('bank'),
    '--blueprint', at('bank/blueprints/die-2026.json'), '--format', 'json'));
  data.reports = JSON.parse(readFileSync(at('reports.json'), 'utf8')).reports;
  exam('report', 'analysis', '--raw', at('raw.csv'), '--forms', at('forms.json'), '--cut', '42', '--out', at('analysis.html'));
  exam('report', 'calibration', '--calibration', at('calibration.json'), '--responses', at('scored.csv'),
    '--out', at('calibration.html'));
  exam('report', 'forms', '--forms', at('forms.json'), '--bank', at('bank'), '--blueprint', at('bank/blueprints/die-2026.json'),
    '--out', at('forms.html'));
  exam('report', 'candidate', '--reports', at('reports.json'), '--candidate', data.reports[1].candidate, '--out', at('candidate.html'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens a report, runs the checks every report must pass, saves the two
 * screenshots, and returns the page for the kind's own checks. `scope`
 * limits the axe-core run on the long pages (every item section repeats
 * the same markup) to the page's head and its first item sections.
 */
async function render(kind, section, scope = null) {
  const file = at(`${kind}.html`);
  const html = readFileSync(file, 'utf8');
  assert.ok(!/<script/i.test(html), 'no script');
  assert.ok(!/(src|href)="(https?:)?\/\//i.test(html), 'no external link or source');
  const { page, errors } = await openPage(browser);
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`file://${file}`);
  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(requests, [], 'nothing fetched');
  const plots = await page.$$eval('svg', (svgs) => svgs.map((s) => {
    const r = s.getBoundingClientRect();
    return { w: r.width, h: r.height, title: s.querySelector('title')?.textContent ?? '',
      desc: s.querySelector('desc')?.textContent ?? '', labelled: s.getAttribute('aria-labelledby') ?? '' };
  }));
  assert.ok(plots.length > 0, 'at least one plot');
  for (const p of plots) {
    assert.ok(p.w > 0 && p.h > 0, `plot "${p.title}" has a size`);
    assert.ok(p.title.length > 0 && p.desc.length > 0 && p.labelled.includes('title'), `plot "${p.title}" has a title and a text alternative`);
  }
  const headerless = await page.$$eval('table', (ts) => ts.filter((t) => !t.querySelector('th')).length);
  assert.equal(headerless, 0, 'every table has header cells');
  await page.screenshot({ path: join(OUT, `${kind}-first.png`) });
  const unit = page.locator(section).first();
  await unit.scrollIntoViewIfNeeded();
  await unit.screenshot({ path: join(OUT, `${kind}-section.png`) });
  await accessible(page, kind, scope);
  await printable(page, kind);
  // Without JavaScript the page reads the same.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto(`file://${file}`);
  assert.equal(await plain.locator('h1').textContent(), await page.locator('h1').textContent());
  assert.equal(await plain.locator('svg').count(), plots.length);
  await context.close();
  return page;
}

/** WCAG 2.x relative luminance contrast of two `#rrggbb` colours. */
function contrast(a, b) {
  const lum = (hex) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * axe-core's WCAG 2.2 A/AA and best-practice rules find nothing; and the
 * plots, whose text axe cannot judge (it treats an SVG as an image), have
 * text of at least 4.5:1 and lines and markers of at least 3:1 on their
 * white background (WCAG 1.4.3 and 1.4.11).
 */
async function accessible(page, kind, scope) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate((scope) => window.axe.run(scope ? { include: scope } : document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }), scope);
  const found = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(' ')}`);
  writeFileSync(join(OUT, `${kind}-axe.json`), JSON.stringify({ violations: result.violations, incomplete: result.incomplete.map((i) => i.id) }, null, 1));
  assert.deepEqual(found, [], `${kind}: axe-core violations`);
  const colours = await page.$$eval('svg', (svgs) => svgs.flatMap((svg) => [
    ...[...svg.querySelectorAll('text')].map((t) => ['text', t.getAttribute('fill') ?? '#000000']),
    ...[...svg.querySelectorAll('path[stroke-width], circle, rect[width="7.2"]')]
      .map((e) => ['graphic', e.getAttribute('stroke') && e.getAttribute('stroke') !== '#fff' ? e.getAttribute('stroke') : e.getAttribute('fill')]),
  ]));
  for (const [what, colour] of Array.from(new Set(colours.map((c) => c.join(' '))), (c) => c.split(' '))) {
    const needed = what === 'text' ? 4.5 : 3;
    assert.ok(contrast(colour, '#ffffff') >= needed, `${kind}: ${what} colour ${colour} has ${contrast(colour, '#ffffff').toFixed(2)}:1 on white`);
  }
}

/**
 * In print, the navigation is gone, sections, plots and tables are kept
 * whole, and the printed PDF and a print-media screenshot go to $CLIENTS_OUT.
 */
async function printable(page, kind) {
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('nav').first().isVisible().catch(() => false), false, 'no navigation in print');
  const split = await page.$$eval('figure, table, section.unit', (els) => els
    .filter((e) => !['avoid', 'avoid-page'].includes(getComputedStyle(e).breakInside)).length);
  assert.equal(split, 0, 'no plot, table or item section may break across pages');
  await page.screenshot({ path: join(OUT, `${kind}-print.png`) });
  await page.pdf({ path: join(OUT, `${kind}.pdf`), format: 'A4' });
  await page.emulateMedia({ media: 'screen' });
}

const value = (page, selector) => page.$eval(selector, (e) => Number(e.dataset.value));

test('analysis report: Iteman layout, p-values and point-biserials as analyze computes them', async () => {
  const page = await render('analysis', 'section.unit:has(table.options)',
    [['header.report'], ['nav'], ['#summary'], ['#flagged'], ['#items thead'], ['#details > section.unit:nth-of-type(-n+4)']]);
  const shown = await page.$$eval('section.unit[data-item]', (units) => Object.fromEntries(units.map((u) => {
    const v = (stat) => u.querySelector(`td[data-stat="${stat}"]`)?.dataset.value;
    return [u.dataset.item, { p: v('p_value'), r: v('point_biserial') }];
  })));
  for (const item of data.analysis.items) {
    assert.equal(Number(shown[item.id].p), item.p_value, `${item.id} p`);
    assert.equal(shown[item.id].r === undefined ? undefined : Number(shown[item.id].r), item.point_biserial, `${item.id} r_pb`);
  }
  const d = data.analysis.distractors[0];
  const key = d.options.find((o) => o.is_key);
  const row = `section.unit[data-item="${d.id}"] tr.key[data-option="${key.choice.option}"] td:nth-of-type(3)`;
  assert.equal(await value(page, row), key.proportion);
  assert.equal(await page.locator('#flagged li').count(),
    data.analysis.items.filter((i) => i.flags.length > 0 || data.analysis.distractors.some((x) => x.id === i.id && x.flags.length > 0)).length);
  await page.close();
});

test('calibration report: parameters as calibrate writes them, one ICC per item', async () => {
  const page = await render('calibration', 'section.unit',
    [['header.report'], ['nav'], ['#summary'], ['#test'], ['#flagged'], ['#parameters'], ['#details > section.unit:nth-of-type(-n+4)']]);
  for (const item of data.calibration.items) {
    assert.equal(await value(page, `tr[data-item="${item.id}"] td[data-stat="a"]`), item.a);
    assert.equal(await value(page, `tr[data-item="${item.id}"] td[data-stat="b"]`), item.b);
  }
  assert.equal(await page.locator('figure[id^="icc-"]').count(), data.calibration.items.length);
  // With --responses every curve carries its observed groups.
  const described = await page.$$eval('figure[id^="icc-"] desc', (ds) => ds.filter((d) => d.textContent.includes('observed proportions by ability group')).length);
  assert.equal(described, data.calibration.items.length);
  await page.close();
});

test('forms report: coverage counts as exam coverage computes them, information curves drawn', async () => {
  const page = await render('forms', 'section.unit');
  for (const c of data.coverage) {
    const cells = await page.$$eval(`section.unit[data-form="${c.form}"] td[data-actual]`,
      (tds) => tds.map((td) => [Number(td.dataset.actual), Number(td.dataset.target)]));
    assert.deepEqual(cells, c.cells.map((x) => [x.actual, x.target]));
  }
  assert.equal(await page.locator('#forms-information path[stroke-dasharray]').count() >= data.coverage.length, true);
  await page.close();
});

test('candidate report: score, decision and domains as exam score reports them', async () => {
  const page = await render('candidate', '#domains');
  const r = data.reports[1];
  const raw = page.locator('table.result tr')
    .filter({ has: page.getByRole('rowheader', { name: 'Raw score', exact: true }) })
    .locator('td');
  assert.equal(Number(await raw.getAttribute('data-value')), r.raw);
  assert.equal(await page.locator(`[data-decision="${r.decision.passed ? 'pass' : 'fail'}"]`).count(), 1);
  // The scaled score's band of one CSEM, as the score report holds it.
  const band = page.locator('td[data-csem]');
  assert.equal(Number(await band.getAttribute('data-csem')), r.band.csem);
  assert.equal(Number(await band.locator('span').getAttribute('data-scaled-lower')), r.band.scaled.lower);
  assert.equal(Number(await band.locator('span').getAttribute('data-scaled-upper')), r.band.scaled.upper);
  for (const d of r.domains) {
    assert.equal(await value(page, `tr[data-domain="${d.domain}"] td[data-value]`), d.raw);
  }
  await page.close();
});
