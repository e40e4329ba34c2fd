// handleSummary: the variants side by side against the one objective, then the script's tallies (and any
// free text), printed and written to RESULTS_DIR as <id>.summary.md and <id>.summary.json. Pure JS (no k6 import).
import { selectVariants } from './scenarios.js';
import { sub, tallySection } from './sections.js';

/** @typedef {import('./knobs.js').LabConfig} LabConfig */
/** @typedef {import('./tallies.js').Tally} Tally */
/** @typedef {import('./tallies.js').TallyTable} TallyTable */
/** @typedef {import('./tallies.js').Probe} Probe */

/**
 * The parts of k6's handleSummary data this file reads.
 * @typedef {Object} SummaryMetric
 * @property {string} type
 * @property {Record<string, number>} values
 * @property {Record<string, { ok: boolean }>} [thresholds]
 * @typedef {{ metrics: Record<string, SummaryMetric>, state?: { testRunDurationMs?: number } }} SummaryData
 */

/**
 * @typedef {Object} VariantResult
 * @property {string} variant
 * @property {boolean} ran        false when SCENARIO left it out
 * @property {number} requests
 * @property {number | null} p50Ms
 * @property {number | null} p95Ms
 * @property {number | null} p99Ms
 * @property {number | null} failedRate
 * @property {number} dropped
 * @property {number | null} checksRate
 * @property {boolean} pass
 * @property {string[]} missed   which parts of the objective it missed
 */

/**
 * Per-variant numbers from the threshold submetrics, judged against the objective.
 * Submetrics without samples are absent from data.metrics: no dropped iterations means 0.
 * @param {SummaryData} data
 * @param {readonly string[]} variants
 * @param {LabConfig} config
 * @returns {VariantResult[]}
 */
export function variantResults(data, variants, config) {
  const ran = selectVariants(variants, config);
  return variants.map((variant) => {
    const duration = sub(data, 'http_req_duration', variant);
    const failed = sub(data, 'http_req_failed', variant);
    const checks = sub(data, 'checks', variant);
    const requests = failed === undefined ? 0 : failed.passes + failed.fails;
    const r = {
      variant,
      ran: ran.includes(variant),
      requests,
      p50Ms: duration?.med ?? null,
      p95Ms: duration?.['p(95)'] ?? null,
      p99Ms: duration?.['p(99)'] ?? null,
      failedRate: failed?.rate ?? null,
      dropped: sub(data, 'dropped_iterations', variant)?.count ?? 0,
      checksRate: checks?.rate ?? null,
      pass: false,
      /** @type {string[]} */
      missed: [],
    };
    if (!r.ran) return r;
    // Same comparisons as the thresholds in scenarios.js, so the table agrees with k6's exit code.
    const none = requests === 0;
    if (none) r.missed.push('no requests');
    if (!none && (r.p95Ms === null || !(r.p95Ms < config.sloP95Ms))) r.missed.push('p95');
    if (!none && (r.failedRate === null || !(r.failedRate < config.maxFailedRate))) r.missed.push('failed');
    if (!(r.dropped <= config.maxDropped)) r.missed.push('dropped');
    if (!none && (r.checksRate === null || !(r.checksRate > config.minChecksRate))) r.missed.push('checks');
    r.pass = r.missed.length === 0;
    return r;
  });
}

/** @param {number | null} v */
const ms = (v) => (v === null ? 'n/a' : v >= 1000 ? v.toFixed(0) : v.toFixed(1));
/** @param {number | null} v */
const pct = (v) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);

/**
 * The objective and the knobs, one line each.
 * @param {LabConfig} config
 * @returns {{ objective: string, knobs: string }}
 */
export function describeRun(config) {
  const expected = Math.round(config.rate * config.durationMs / 1000);
  const dropped = config.maxDropped === 0 ? 'no dropped iterations' : `dropped iterations <= ${config.maxDropped}`;
  const only = config.scenario.length > 0 ? `, SCENARIO=${config.scenario.join(',')}` : '';
  return {
    objective: `Objective (same for every variant): p95 < ${config.sloP95Ms} ms, failed < ${pct(config.maxFailedRate)}, ` +
      `${dropped}, checks > ${pct(config.minChecksRate)}`,
    knobs: `Knobs: RATE=${config.rate}/s for DURATION=${config.duration} per variant (~${expected} requests), ` +
      `GAP=${config.gap}, TIMEOUT=${config.timeout}, VUS=${config.vus}..${config.maxVus}${only}, BASE_URL=${config.baseUrl}`,
  };
}

/**
 * Markdown: a title, the objective and knobs lines, and one column per variant.
 * @param {string} pitfall
 * @param {VariantResult[]} results
 * @param {LabConfig} config
 * @returns {string}
 */
export function renderMarkdown(pitfall, results, config) {
  const { objective, knobs } = describeRun(config);
  /** @type {Array<[string, (r: VariantResult) => string]>} */
  const rows = [
    ['requests', (r) => String(r.requests)],
    ['p50 (ms)', (r) => ms(r.p50Ms)],
    ['p95 (ms)', (r) => ms(r.p95Ms)],
    ['p99 (ms)', (r) => ms(r.p99Ms)],
    ['failed', (r) => pct(r.failedRate)],
    ['dropped iterations', (r) => String(r.dropped)],
    ['checks', (r) => pct(r.checksRate)],
    ['objective', (r) => (r.pass ? 'PASS' : `FAIL (${r.missed.join(', ')})`)],
  ];
  const cell = (/** @type {VariantResult} */ r, /** @type {(r: VariantResult) => string} */ f) => (r.ran ? f(r) : 'not run');
  const lines = [
    `## ${pitfall}: ${results.map((r) => r.variant).join(' vs ')}`,
    '',
    objective,
    knobs,
    '',
    `| | ${results.map((r) => r.variant).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    ...rows.map(([label, f]) => `| ${label} | ${results.map((r) => cell(r, f)).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * @typedef {Object} SummaryRun
 * @property {string} pitfall
 * @property {readonly string[]} variants
 * @property {LabConfig} config
 * @property {Record<string, Tally>} [tallies]
 * @property {TallyTable} [tallyTable]
 * @property {Probe} [probe]
 * @property {(data: SummaryData) => string | undefined} [extraSummary]  free text after the tallies
 */

/**
 * The body of a pitfall script's handleSummary: the tables on stdout, plus the markdown
 * and a JSON version in RESULTS_DIR (which must exist: k6 does not create it).
 * @param {SummaryData} data
 * @param {SummaryRun} run
 * @returns {Record<string, string>}
 */
export function pitfallSummary(data, run) {
  const { pitfall, variants, config } = run;
  const results = variantResults(data, variants, config);
  const sections = [tallySection(data, run), run.extraSummary?.(data)].filter((s) => s !== undefined && s !== '');
  const markdown = `${renderMarkdown(pitfall, results, config)}${sections.map((s) => `\n${s}`).join('')}`;
  const json = {
    pitfall,
    generatedAt: new Date().toISOString(),
    ...describeRun(config),
    config,
    testRunDurationMs: data.state?.testRunDurationMs ?? null,
    variants: results,
    metrics: data.metrics,
  };
  const base = `${config.resultsDir}/${pitfall}.summary`;
  return {
    stdout: `\n${markdown}\nWritten: ${base}.md, ${base}.json\n\n`,
    [`${base}.md`]: markdown,
    [`${base}.json`]: `${JSON.stringify(json, null, 2)}\n`,
  };
}
