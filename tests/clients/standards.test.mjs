// The standards, each proved by a client nobody here wrote: the QTI 3.0 XSDs
// (xmllint), the QTI 3.0 player @citolab/qti-components in headless Chromium,
// the converter citolab-qti-convert, the xAPI validator xapi-validation, and
// a JSON Schema written from the LTI AGS Score definition (ajv).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { launch, openPage } from './browser.mjs';

const require = createRequire(import.meta.url);
const validateStatement = require('xapi-validation').default;

const ROOT = process.env.EXAM_ROOT;
const OUT = join(process.env.CLIENTS_OUT, 'standards');
const XSD = join(ROOT, 'tests/data/qti3-xsd');
const exam = (...args) => execFileSync(process.env.EXAM_BIN, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const path = (name) => join(OUT, name);

// One of each item kind from the shipped bank.
const KINDS = { single_choice: 'AUT-001', multiple_response: 'AUT-005', ordering: 'AUT-022', matching: 'AUT-008' };

/** The shipped bank's operational and pretest items: what the package holds. */
function deliverable() {
  const dir = join(ROOT, 'item-bank/items');
  return readdirSync(dir).flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).items)
    .filter((i) => ['operational', 'pretest'].includes(i.status)).length;
}

before(() => {
  mkdirSync(OUT, { recursive: true });
  exam('assemble', '--forms', '4', '--seed', '1', '--out', path('forms.json'));
  exam('export', 'qti', '--out', path('bank.zip'), '--forms', path('forms.json'));
  execFileSync('python3', ['-m', 'zipfile', '-e', path('bank.zip'), path('pkg')]);
  exam('simulate', '--forms', path('forms.json'), '--candidates', '25', '--seed', '7', '--out', path('responses.csv'));
  exam('score', '--forms', path('forms.json'), '--responses', path('responses.csv'),
    '--blueprint', 'item-bank/blueprints/die-2026.json', '--out', path('reports.json'));
});

function xmllint(schema, files) {
  return execFileSync('xmllint', ['--noout', '--nonet', '--schema', join(XSD, schema), ...files], {
    env: { ...process.env, XML_CATALOG_FILES: join(XSD, 'catalog.xml') }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('the package validates against the QTI 3.0 XSDs (items, stimuli, tests, manifest)', () => {
  const files = ['items', 'stimuli', 'tests'].flatMap((d) => readdirSync(path(`pkg/${d}`)).map((f) => path(`pkg/${d}/${f}`)));
  assert.equal(files.filter((f) => f.includes('/pkg/items/')).length, deliverable());
  assert.equal(files.filter((f) => f.includes('/pkg/tests/')).length, 4);
  xmllint('qtiv3p0/imsqti_asiv3p0_sbacv1p0_v1p0.xsd', files);
  xmllint('qtiv3p0/imsqtiv3p0_imscpv1p2_v1p0.xsd', [path('pkg/imsmanifest.xml')]);
});

test('usage data and results validate against their XSDs', () => {
  const file = path('analysis.json');
  writeFileSync(file, exam('analyze', '--raw', path('responses.csv'), '--forms', path('forms.json'), '--format', 'json'));
  exam('export', 'qti-usage', '--analysis', file, '--date', '2026-03-01', '--out', path('usage.xml'));
  const usage = readFileSync(path('usage.xml'), 'utf8');
  assert.match(usage, /name="P-value"/);
  assert.match(usage, /name="AIS-Response"/);
  xmllint('qtiv3p0/imsqti_usagedatav3p0_v1p0.xsd', [path('usage.xml')]);
  exam('export', 'qti-results', '--forms', path('forms.json'), '--reports', path('reports.json'),
    '--responses', path('responses.csv'), '--timestamp', '2026-03-01T10:00:00Z', '--out', path('results'));
  const results = readdirSync(path('results')).map((f) => path(`results/${f}`));
  assert.equal(results.length, 25);
  xmllint('qtiv3p0/imsqti_resultv3p0_v1p0.xsd', results);
});

test('citolab-qti-convert converts the package to QTI 2.1', () => {
  const venv = join(ROOT, 'tests/clients/.venv/bin/qti-convert');
  execFileSync(venv, ['downgrade', path('bank.zip'), path('bank-qti21.zip')], { stdio: ['ignore', 'pipe', 'pipe'] });
  execFileSync('python3', ['-m', 'zipfile', '-e', path('bank-qti21.zip'), path('pkg21')]);
  const item = readFileSync(path('pkg21/items/AUT-008.xml'), 'utf8');
  assert.match(item, /xmlns="http:\/\/www.imsglobal.org\/xsd\/imsqti_v2p1"/);
  assert.match(item, /<matchInteraction /);
  assert.equal(readdirSync(path('pkg21/items')).length, deliverable());
});

let browser;
after(async () => { if (browser) await browser.close(); });

/** The correct response values of an item file. */
function correct(xml) {
  const block = xml.match(/<qti-correct-response>([\s\S]*?)<\/qti-correct-response>/)[1];
  return [...block.matchAll(/<qti-value>([^<]*)<\/qti-value>/g)].map((m) => m[1]);
}

test('every item kind renders in the QTI player and scores: key full marks, a wrong answer less', async () => {
  const bundle = path('qti-components.js');
  await build({ entryPoints: [join(ROOT, 'tests/clients/node_modules/@citolab/qti-components/dist/index.js')], bundle: true, format: 'iife', globalName: 'QTI', outfile: bundle, logLevel: 'silent' });
  browser = await launch();
  const { page, errors } = await openPage(browser);
  await page.setContent('<!doctype html><html><body><div id="host"></div></body></html>');
  await page.addScriptTag({ path: bundle });
  for (const [kind, id] of Object.entries(KINDS)) {
    const xml = readFileSync(path(`pkg/items/${id}.xml`), 'utf8');
    const key = correct(xml);
    const cardinality = xml.match(/cardinality="(\w+)"/)[1];
    const wrong = {
      single_choice: () => xml.match(/qti-simple-choice identifier="([^"]+)"/g).map((m) => m.split('"')[1]).find((c) => c !== key[0]),
      multiple_response: () => key.slice(1),
      ordering: () => [...key].reverse(),
      matching: () => key.slice(1),
    }[kind]();
    const run = await page.evaluate(async ({ xml, key, wrong, cardinality }) => {
      const host = document.getElementById('host');
      host.replaceChildren(window.QTI.qtiTransformItem().parse(xml).htmlDoc());
      const item = host.querySelector('qti-assessment-item');
      await customElements.whenDefined('qti-assessment-item');
      await new Promise((r) => setTimeout(r, 200));
      const interaction = item.querySelector('[response-identifier="RESPONSE"]');
      const box = interaction.getBoundingClientRect();
      const choices = item.querySelectorAll('qti-simple-choice, qti-simple-associable-choice').length;
      const score = (value) => {
        item.updateResponseVariable('RESPONSE', cardinality === 'single' ? value[0] : value);
        item.processResponse();
        return Number(item.getOutcome('SCORE').value);
      };
      return { tag: interaction.localName, defined: !!customElements.get(interaction.localName), height: box.height, choices, full: score(key), partial: score(wrong) };
    }, { xml, key, wrong: Array.isArray(wrong) ? wrong : [wrong], cardinality });
    const expectedTag = { single_choice: 'qti-choice-interaction', multiple_response: 'qti-choice-interaction', ordering: 'qti-order-interaction', matching: 'qti-match-interaction' }[kind];
    assert.equal(run.tag, expectedTag, kind);
    assert.ok(run.defined, `${kind}: ${run.tag} is a registered player element`);
    assert.ok(run.height > 0, `${kind}: the interaction is laid out`);
    assert.ok(run.choices >= 2, kind);
    assert.ok(Math.abs(run.full - 1) < 1e-9, `${kind}: key scores ${run.full}`);
    assert.ok(run.partial < run.full, `${kind}: wrong answer scores ${run.partial}`);
  }
  assert.deepEqual(errors, []);
});

test('every xAPI statement passes xapi-validation, in cmi5 order with cmi5 context', () => {
  exam('export', 'xapi', '--forms', path('forms.json'), '--responses', path('responses.csv'), '--reports', path('reports.json'),
    '--home-page', 'https://lms.example', '--started', '2026-03-01T09:00:00Z', '--out', path('statements.json'));
  const { attempts } = JSON.parse(readFileSync(path('statements.json'), 'utf8'));
  assert.equal(attempts.length, 25);
  const cmi5 = 'https://w3id.org/xapi/cmi5/context/categories/cmi5';
  const session = 'https://w3id.org/xapi/cmi5/context/extensions/sessionid';
  for (const { statements } of attempts) {
    for (const s of statements) assert.deepEqual(validateStatement(s), [], JSON.stringify(s));
    const verbs = statements.map((s) => s.verb.id.split('/').pop());
    assert.equal(verbs[0], 'initialized');
    assert.equal(verbs.at(-1), 'terminated');
    const tail = verbs.slice(-3);
    assert.ok(tail[0] === 'completed' && ['passed', 'failed'].includes(tail[1]), verbs.join(','));
    assert.ok(verbs.slice(1, -3).every((v) => v === 'answered'));
    const registration = statements[0].context.registration;
    const sessionId = statements[0].context.extensions[session];
    for (const s of statements) {
      assert.equal(s.context.registration, registration);
      assert.equal(s.context.extensions[session], sessionId);
      const categories = (s.context.contextActivities?.category ?? []).map((c) => c.id);
      assert.equal(categories.includes(cmi5), s.verb.id.endsWith('/answered') ? false : true, s.verb.id);
    }
    for (const s of statements.filter((s) => s.verb.id.endsWith('/answered'))) {
      assert.ok(['choice', 'sequencing', 'matching'].includes(s.object.definition.interactionType));
      assert.equal(s.object.definition.correctResponsesPattern.length, 1);
    }
  }
});

test('every AGS score validates against the Score schema', () => {
  exam('export', 'lti-ags', '--reports', path('reports.json'), '--line-item', 'https://lms.example/lineitems/9',
    '--timestamp', '2026-03-01T10:00:00.000Z', '--out', path('scores.json'));
  const schema = JSON.parse(readFileSync(join(ROOT, 'tests/clients/lti-ags-score.schema.json'), 'utf8'));
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const { scores } = JSON.parse(readFileSync(path('scores.json'), 'utf8'));
  assert.equal(scores.length, 25);
  for (const score of scores) assert.ok(validate(score), JSON.stringify(validate.errors));
  assert.ok(!validate({ ...scores[0], activityProgress: 'Done' }), 'the schema rejects a value outside the spec');
});
