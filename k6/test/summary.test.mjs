// The summary hooks under node (no k6): recorded-shape handleSummary data through lib's pure functions.
// Run: npm test (node --test). k6 itself cannot run here; these prove the tables, not the load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig } from '../lib/knobs.js';
import { buildOptions } from '../lib/scenarios.js';
import { pitfallSummary } from '../lib/summary.js';
import { meets, tallySpecs, tallyThresholds } from '../lib/tallies.js';

/** A config as a script gets it, with env knobs (SCENARIO=...) as k6 would pass them. */
function config(env = {}, defaults = {}) {
  globalThis.__ENV = env;
  try { return readConfig(defaults); } finally { delete globalThis.__ENV; }
}

// The shape k6 hands handleSummary: metrics by name, submetrics as name{scenario:x}, values by stat.
const trend = (p95, thresholds) => ({ type: 'trend', contains: 'time', values: { avg: p95 / 2, min: 1, med: p95 / 3, max: p95 * 2, 'p(90)': p95 * 0.9, 'p(95)': p95, 'p(99)': p95 * 1.2, count: 100 }, ...(thresholds ? { thresholds } : {}) });
const rate = (r, n = 100) => ({ type: 'rate', contains: 'default', values: { rate: r, passes: Math.round(r * n), fails: n - Math.round(r * n) } });
const counter = (count) => ({ type: 'counter', contains: 'default', values: { count, rate: count / 20 } });
/** @param {string[]} variants @param {(v: string, i: number) => Record<string, object>} extra */
function recorded(variants, extra) {
  const metrics = { http_req_duration: trend(40), http_req_failed: rate(0.1), checks: rate(0.9) };
  variants.forEach((v, i) => Object.assign(metrics, {
    [`http_req_duration{scenario:${v}}`]: trend(20 + 100 * i, { 'p(95)<500': { ok: true } }),
    [`http_req_failed{scenario:${v}}`]: rate(i === 0 ? 0 : 0.4),
    [`checks{scenario:${v}}`]: rate(i === 0 ? 1 : 0.5, 200),
  }, extra(v, i)));
  return { metrics, state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 61234 }, root_group: { name: '', path: '', groups: [], checks: [] } };
}
/** The rows of the markdown table under `title` as { label: cells }. */
function table(md, title) {
  const part = md.split(`### ${title}`)[1];
  assert.ok(part !== undefined, `no section '${title}' in:\n${md}`);
  const lines = part.split('\n\n').find((block) => block.trimStart().startsWith('| |')).trim().split('\n');
  const header = lines[0].split('|').slice(2, -1).map((s) => s.trim());
  const rows = Object.fromEntries(lines.slice(2).map((l) => { const c = l.split('|').slice(1, -1).map((s) => s.trim()); return [c[0], c.slice(1)]; }));
  return { header, rows };
}

const WHENALL = {
  items_failed: { type: 'rate', row: 'items failed at the backend' },
  http_req_failed: { stat: 'rate', row: 'requests failed' },
  errors_hidden: { type: 'count', row: 'errors hidden from the caller' },
  calls_cancelled: { type: 'count', row: 'backend calls cancelled' },
};

test('a tallies table has a column per variant and a row per tally, after the main table and before "Written:"', () => {
  const variants = ['good', 'bad', 'failfast'];
  const cfg = config();
  const data = recorded(variants, (v, i) => ({
    [`items_failed{scenario:${v}}`]: rate(0.05 * (i + 1), 4000),
    [`errors_hidden{scenario:${v}}`]: counter(i === 1 ? 170 : 0),
    [`calls_cancelled{scenario:${v}}`]: counter(i === 2 ? 35 : 0),
  }));
  const out = pitfallSummary(data, { pitfall: 'whenall-failures', variants, config: cfg, tallies: WHENALL, tallyTable: { title: 'What happened to the items' } });
  const md = out['k6/results/whenall-failures.summary.md'];
  assert.ok(md.startsWith('## whenall-failures: good vs bad vs failfast\n'));
  const t = table(md, 'What happened to the items');
  assert.deepEqual(t.header, variants);
  assert.deepEqual(Object.keys(t.rows), Object.values(WHENALL).map((x) => x.row));
  assert.deepEqual(t.rows['items failed at the backend'], ['5.0%', '10.0%', '15.0%']);
  assert.deepEqual(t.rows['requests failed'], ['0.0%', '40.0%', '40.0%']);
  assert.deepEqual(t.rows['errors hidden from the caller'], ['0', '170', '0']);
  assert.deepEqual(t.rows['backend calls cancelled'], ['0', '0', '35']);
  assert.match(md, /\n\| \| good \| bad \| failfast \|\n\|---\|---:\|---:\|---:\|\n\| requests \| 100 \| 100 \| 100 \|/); // the main table first
  const stdout = out.stdout;
  assert.ok(stdout.indexOf('### What happened to the items') > stdout.indexOf('| objective |'));
  assert.ok(stdout.indexOf('Written: k6/results/whenall-failures.summary.md') > stdout.indexOf('| backend calls cancelled |'));
  const json = JSON.parse(out['k6/results/whenall-failures.summary.json']);
  assert.deepEqual(json.variants.map((/** @type {{ variant: string }} */ r) => r.variant), variants);
  assert.equal(json.testRunDurationMs, 61234);
});

test('a tally without samples shows n/a; a variant SCENARIO left out shows "not run" in both tables', () => {
  const variants = ['good', 'bad', 'failfast'];
  const cfg = config({ SCENARIO: 'bad' });
  const data = recorded(['bad'], () => ({ 'errors_hidden{scenario:bad}': counter(9) }));
  const md = pitfallSummary(data, { pitfall: 'whenall-failures', variants, config: cfg, tallies: WHENALL, tallyTable: { title: 'What happened to the items' } })['k6/results/whenall-failures.summary.md'];
  const t = table(md, 'What happened to the items');
  assert.deepEqual(t.rows['errors hidden from the caller'], ['not run', '9', 'not run']);
  assert.deepEqual(t.rows['items failed at the backend'], ['not run', 'n/a', 'not run']);
  assert.match(md, /\| requests \| not run \| 100 \| not run \|/);
});

test('tallies make per-variant thresholds: their own, or always-true ones for the rows; a bare type makes none', () => {
  const tallies = {
    item_errors: { type: 'rate', row: 'lookups failed', threshold: 'rate<0.01' },
    round_trips: { type: 'trend', row: 'round trips per request (avg)' },
    noticed: { type: 'time', row: 'noticed p95', stat: 'p(95)' },
    read_your_write: { type: 'rate', threshold: 'rate>0.99' },
    jobs_lost: 'count',
    http_req_failed: { stat: 'rate', row: 'requests failed' },
  };
  const cfg = config({ SCENARIO: 'bad,batched' });
  const opts = buildOptions('shared-connection', ['good', 'bad', 'batched'], cfg, { tallies });
  const th = /** @type {Record<string, string[]>} */ (opts.thresholds);
  for (const v of ['bad', 'batched']) {
    assert.deepEqual(th[`item_errors{scenario:${v}}`], ['rate<0.01']);
    assert.deepEqual(th[`round_trips{scenario:${v}}`], ['avg>=0']);
    assert.deepEqual(th[`noticed{scenario:${v}}`], ['p(95)>=0']);
    assert.deepEqual(th[`read_your_write{scenario:${v}}`], ['rate>0.99']);
    assert.deepEqual(th[`http_req_failed{scenario:${v}}`], [`rate<${cfg.maxFailedRate}`]); // the objective's, untouched
  }
  assert.ok(!Object.keys(th).some((k) => k.includes('scenario:good')), 'SCENARIO left good out');
  assert.ok(!Object.keys(th).some((k) => k.startsWith('jobs_lost')), 'a bare type is declared, not judged');
  assert.deepEqual(tallyThresholds(undefined, ['good']), {});
  assert.throws(() => tallySpecs({ http_reqs: { row: 'requests' } }), /give its type or the stat/);
});

test('a probe runs beside each variant over its window, and the tallies table judges the probe and the tallies', () => {
  const variants = ['good', 'bad'];
  const cfg = config({}, { DURATION: '20s', GAP: '10s' });
  const probe = { route: '/health', rate: 10, sloP95Ms: 20 };
  const tallies = {
    queries_per_wait: { type: 'trend', row: 'DB queries per wait (avg)', threshold: 'avg<10', missed: 'queries' },
    cpu_ms: { type: 'time', row: 'process CPU per wait p50 (ms)', stat: 'med' },
  };
  const opts = buildOptions('busy-polling', variants, cfg, { tallies, probe });
  const sc = /** @type {Record<string, import('k6/options').ConstantArrivalRateScenario>} */ (opts.scenarios);
  assert.deepEqual(Object.keys(sc), ['good', 'bad', 'probe_good', 'probe_bad']);
  assert.equal(sc.probe_bad.startTime, sc.bad.startTime);
  assert.equal(sc.probe_bad.duration, sc.bad.duration);
  assert.equal(sc.probe_bad.exec, 'probe');
  assert.equal(sc.probe_bad.rate, 10);
  assert.deepEqual(sc.probe_bad.tags, { pitfall: 'busy-polling', variant: 'probe_bad' });
  const th = /** @type {Record<string, string[]>} */ (opts.thresholds);
  assert.deepEqual(th['http_req_duration{scenario:probe_good}'], ['p(95)<20']);
  assert.deepEqual(th['queries_per_wait{scenario:bad}'], ['avg<10']);

  const data = recorded(variants, (v, i) => ({
    [`queries_per_wait{scenario:${v}}`]: { type: 'trend', contains: 'default', values: { avg: i === 0 ? 3 : 412.5, med: 3, 'p(95)': 3 } },
    [`cpu_ms{scenario:${v}}`]: trend(i === 0 ? 6 : 90),
    [`http_req_duration{scenario:probe_${v}}`]: trend(i === 0 ? 4 : 75),
  }));
  const md = pitfallSummary(data, {
    pitfall: 'busy-polling', variants, config: cfg, tallies, probe,
    tallyTable: { title: 'busy-polling: what waiting cost', note: 'Objective: queries per wait < 10, probe p95 < 20 ms', objective: 'queries + probe objective' },
  })['k6/results/busy-polling.summary.md'];
  assert.match(md, /### busy-polling: what waiting cost\n\nObjective: queries per wait < 10, probe p95 < 20 ms\n\n\| \| good \| bad \|/);
  const t = table(md, 'busy-polling: what waiting cost');
  assert.deepEqual(Object.keys(t.rows), ['DB queries per wait (avg)', 'process CPU per wait p50 (ms)', 'probe /health p50 (ms)', 'probe /health p95 (ms)', 'queries + probe objective']);
  assert.deepEqual(t.rows['DB queries per wait (avg)'], ['3.0', '412.5']);
  assert.deepEqual(t.rows['probe /health p95 (ms)'], ['4.0', '75.0']);
  assert.deepEqual(t.rows['queries + probe objective'], ['PASS', 'FAIL (queries, probe p95)']);
});

test('extraSummary adds free text after the tables, in the markdown and on stdout', () => {
  const variants = ['good', 'bad'];
  const out = pitfallSummary(recorded(variants, () => ({})), {
    pitfall: 'blocking-io', variants, config: config(),
    extraSummary: (data) => `### Note\n\nRun lasted ${data.state?.testRunDurationMs} ms.\n`,
  });
  const md = out['k6/results/blocking-io.summary.md'];
  assert.ok(md.endsWith('\n### Note\n\nRun lasted 61234 ms.\n'), md);
  assert.ok(out.stdout.includes('Run lasted 61234 ms.\n\nWritten:'));
  assert.ok(md.indexOf('### Note') > md.indexOf('| objective |'));
});

test('no tallies and no extra text: the summary is the main table alone', () => {
  const variants = ['good', 'bad'];
  const md = pitfallSummary(recorded(variants, () => ({})), { pitfall: 'blocking-io', variants, config: config() })['k6/results/blocking-io.summary.md'];
  assert.ok(!md.includes('###'));
  assert.ok(md.trimEnd().endsWith('| objective | PASS | FAIL (failed, checks) |'), md);
});

test('threshold expressions are judged as k6 judges them; no samples meets them', () => {
  assert.equal(meets({ avg: 9.99 }, 'avg<10'), true);
  assert.equal(meets({ avg: 10 }, 'avg<10'), false);
  assert.equal(meets({ 'p(95)': 20 }, 'p(95)<=20'), true);
  assert.equal(meets({ rate: 0.995 }, 'rate>0.99'), true);
  assert.equal(meets({ count: 0 }, 'count<1'), true);
  assert.equal(meets(undefined, 'count<1'), true);
  assert.equal(meets({ med: 1 }, 'avg<10'), false);
  assert.throws(() => meets({ avg: 1 }, 'avg is small'), /expected stat, comparison, number/);
});
