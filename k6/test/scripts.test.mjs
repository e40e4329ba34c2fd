// Every script under node, k6's modules stubbed (k6-stubs/): its exports, one iteration per scenario,
// its tallies' thresholds, and its handleSummary on recorded-shape data: every variant and every tally row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { register } from 'node:module';

register('./k6-stubs/loader.mjs', import.meta.url);
const PITFALLS = new URL('../pitfalls/', import.meta.url);
const scripts = readdirSync(PITFALLS).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));

// Values for every stat a row or the main table may read.
const VALUES = { rate: 0.25, count: 12, passes: 30, fails: 10, avg: 7.5, min: 1, med: 6, max: 40, 'p(90)': 20, 'p(95)': 25, 'p(99)': 30 };

// At least the spec's ten; a new pitfall's script joins by being in pitfalls/ (K6ScriptTests holds each to the catalog).
test('every pitfall of the spec has a script', () => assert.ok(scripts.length >= 10, `only ${scripts.length} scripts`));

for (const id of scripts) {
  test(`${id}: exports, one iteration per scenario, tallies judged per variant, every variant and tally in the summary`, async () => {
    globalThis.k6stub = { ...globalThis.k6stub, metrics: [], samples: [], checks: [], requests: [] };
    globalThis.k6stub.respond = (method, url) => (url.endsWith('/lab/stats')
      ? { status: 200, body: { threadPool: { threads: 1, minWorkerThreads: 1 }, pitfalls: {} } }
      : { status: 200, body: { pitfall: id, variant: globalThis.k6stub.exec.scenario.name, result: {}, evidence: {} } });
    const mod = await import(new URL(`${id}.js`, PITFALLS).href);
    const { exec } = globalThis.k6stub;
    const declared = globalThis.k6stub.metrics.map((/** @type {{ name: string }} */ m) => m.name);

    assert.equal(typeof mod.handleSummary, 'function');
    const scenarios = Object.entries(mod.options.scenarios);
    const variants = scenarios.map(([name]) => name).filter((name) => !name.startsWith('probe_'));
    assert.ok(variants[0] === 'good' && variants.length >= 2, `variants: ${variants}`);
    for (const [name, s] of scenarios) {
      assert.equal(typeof mod[s.exec], 'function', `scenario ${name} runs export ${s.exec}`);
      exec.scenario.name = name;
      mod[s.exec]();
    }
    assert.ok(globalThis.k6stub.requests.some((/** @type {{ url: string }} */ r) => r.url.includes(`/pitfalls/${id}/`)));
    for (const sample of globalThis.k6stub.samples) assert.ok(declared.includes(sample.name), `${sample.name} is declared`);

    // A tally is judged for every variant or for none (a bare type).
    const thresholds = Object.keys(mod.options.thresholds);
    for (const name of declared) {
      const judged = variants.filter((v) => thresholds.includes(`${name}{scenario:${v}}`));
      assert.ok(judged.length === 0 || judged.length === variants.length, `${name} judged for ${judged}`);
    }

    const metrics = Object.fromEntries([...thresholds, ...declared].map((k) => [k, { type: 'trend', contains: 'default', values: VALUES }]));
    const out = mod.handleSummary({ metrics, state: { testRunDurationMs: 1000 } });
    const md = out[`k6/results/${id}.summary.md`];
    assert.ok(md.startsWith(`## ${id}: ${variants.join(' vs ')}\n`), md);
    assert.ok(JSON.parse(out[`k6/results/${id}.summary.json`]).variants.length === variants.length);
    const header = `| | ${variants.join(' | ')} |`;
    const sections = md.split('\n### ').slice(1);
    const rowTallies = declared.filter((name) => variants.every((v) => mod.options.thresholds[`${name}{scenario:${v}}`]?.[0]?.endsWith('>=0')));
    assert.equal(sections.length > 0, rowTallies.length > 0, 'a tallies table exactly when tallies have rows');
    for (const section of [md, ...sections]) {
      assert.ok(section.includes(header), `a column per variant in:\n${section}`);
      assert.ok(!section.includes('n/a'), `every row finds its submetric in:\n${section}`);
    }
    const rows = sections.join('\n').split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| |'));
    assert.ok(rows.length >= rowTallies.length, `${rows.length} rows for ${rowTallies.length} tallies with rows`);
  });
}
