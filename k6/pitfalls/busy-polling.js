// Pitfall 8, busy-polling: waiting for a background job by polling its row vs by a signal.
//
// Each request starts a job that the API's worker finishes after JOB_MS, then waits for it:
//   good  LISTEN/NOTIFY: the waiter sleeps on its connection until the worker's NOTIFY (3 commands a wait).
//   bad   SELECT the row, await Task.Yield(), SELECT again...: hundreds of queries a wait, a core kept busy.
// Both variants run at the same arrival rate, one after the other, and beside each one a probe scenario
// times an unrelated request (PROBE_ROUTE, the readiness check: one small query + one backend call).
// The waiters' own latency barely differs (bad may even notice sooner): busy polling hurts everyone else.
// So the objective has three parts, the same for both variants:
//   - the waiters: the lab's usual objective (p95 < SLO_P95_MS, failures, dropped iterations, checks);
//   - DB queries per wait (from each observation's evidence): average < MAX_QUERIES_PER_WAIT;
//   - the probe running beside them: p95 < PROBE_SLO_P95_MS.
// Good passes; bad fails the queries part and, on a 2-core machine, the probe part, so k6 exits 99.
// That is the expected outcome.
//
// Run from the repo root (results go to k6/results/busy-polling.summary.{md,json}):
//   k6 run k6/pitfalls/busy-polling.js
//   k6 run -e SCENARIO=bad k6/pitfalls/busy-polling.js
//   k6 run -e RATE=60 -e JOB_MS=500 -e PROBE_SLO_P95_MS=50 k6/pitfalls/busy-polling.js
// With docker compose (k6/ is the working dir there):
//   docker compose run --rm k6 run pitfalls/busy-polling.js
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';
import { callVariant } from '../lib/request.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 100, // waits started per second per variant: with JOB_MS=300 about 30 requests wait at once
  DURATION: '20s', // per variant
  GAP: '10s', // pause between variants (>= TIMEOUT); bad's damage ends with its last waiter
  TIMEOUT: '10s', // per request
  SLO_P95_MS: 1000, // waiters' own p95: JOB_MS plus a margin (both variants usually meet it)
  VUS: 50, // preAllocatedVUs: RATE x (JOB_MS + margin)
  MAX_VUS: 400, // room for waiters that slow down; the API's per-variant pool holds 60 connections
  JOB_MS: 300, // how long the worker takes (query jobMs)
  PROBE_RATE: 10, // probe requests/s beside each variant
  PROBE_SLO_P95_MS: 20, // the probe's objective; beside good waiters it answers in a few ms
  MAX_QUERIES_PER_WAIT: 10, // good sends 3 (LISTEN, the read after it, the read after the NOTIFY)
};

const ROUTES = {
  good: '/pitfalls/busy-polling/good',
  bad: '/pitfalls/busy-polling/bad',
};
// Unrelated to the jobs: readiness (one query on the lab's own pool, one call to the backend).
const PROBE_ROUTE = '/health';

const lab = definePitfall({ id: 'busy-polling', routes: ROUTES, defaults: DEFAULTS });
const jobMs = intKnob('JOB_MS', DEFAULTS.JOB_MS, 0, 10000);
const probeRate = intKnob('PROBE_RATE', DEFAULTS.PROBE_RATE, 1, 1000);
const probeSloMs = intKnob('PROBE_SLO_P95_MS', DEFAULTS.PROBE_SLO_P95_MS, 1, 3600000);
const maxQueries = intKnob('MAX_QUERIES_PER_WAIT', DEFAULTS.MAX_QUERIES_PER_WAIT, 1, 1000000);

// One trend per variant and figure, read back from each observation's evidence.
/** @type {Record<string, { queries: Trend, noticed: Trend, cpu: Trend }>} */
const evidence = {};
for (const v of lab.variants) {
  evidence[v] = {
    queries: new Trend(`busy_polling_queries_per_wait_${v}`),
    noticed: new Trend(`busy_polling_noticed_after_ms_${v}`, true),
    cpu: new Trend(`busy_polling_process_cpu_ms_${v}`, true),
  };
}

/**
 * The lab's scenarios plus, beside each variant, a probe over the same window; and the extra objectives.
 * @param {import('k6/options').Options} base
 * @returns {import('k6/options').Options}
 */
function withProbes(base) {
  const scenarios = { ...base.scenarios };
  const thresholds = { ...base.thresholds };
  for (const [variant, s] of Object.entries(base.scenarios ?? {})) {
    const window = /** @type {import('k6/options').ConstantArrivalRateScenario} */ (s);
    scenarios[`probe_${variant}`] = {
      executor: 'constant-arrival-rate',
      rate: probeRate,
      timeUnit: '1s',
      duration: window.duration,
      startTime: window.startTime,
      preAllocatedVUs: 5,
      maxVUs: 50,
      gracefulStop: lab.config.timeout,
      exec: 'probe',
      tags: { pitfall: lab.id, variant: `probe_${variant}` },
    };
    thresholds[`http_req_duration{scenario:probe_${variant}}`] = [`p(95)<${probeSloMs}`];
    thresholds[`http_req_failed{scenario:probe_${variant}}`] = [`rate<${lab.config.maxFailedRate}`];
    thresholds[`busy_polling_queries_per_wait_${variant}`] = [`avg<${maxQueries}`];
  }
  return { ...base, scenarios, thresholds };
}

export const options = withProbes(lab.options);

export function run() {
  const variant = lab.currentVariant();
  const { body } = lab.call(variant, { method: 'POST', query: { jobMs } });
  const e = /** @type {{ evidence?: Record<string, number | null> } | undefined} */ (body)?.evidence;
  if (e === undefined) return;
  if (typeof e.queriesWhileWaiting === 'number') evidence[variant].queries.add(e.queriesWhileWaiting);
  if (typeof e.noticedAfterMs === 'number') evidence[variant].noticed.add(e.noticedAfterMs);
  if (typeof e.processCpuMs === 'number') evidence[variant].cpu.add(e.processCpuMs);
}

export function probe() {
  const name = exec.scenario.name;
  callVariant(lab.config, { pitfall: lab.id, variant: name, route: PROBE_ROUTE }, { observation: false });
}

// Waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const setup = lab.setup;

/** @param {import('../lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  const out = lab.handleSummary(data);
  const table = costTable(data);
  const base = `${lab.config.resultsDir}/${lab.id}.summary`;
  out.stdout = out.stdout.replace('\nWritten:', `\n${table}\nWritten:`);
  out[`${base}.md`] = `${out[`${base}.md`]}\n${table}`;
  return out;
}

/**
 * What waiting cost, per variant: the evidence trends and the probe beside it, judged like the thresholds.
 * @param {import('../lib/summary.js').SummaryData} data
 * @returns {string}
 */
function costTable(data) {
  const f = (/** @type {number | undefined} */ v, digits = 1) => (v === undefined ? 'n/a' : v.toFixed(digits));
  const cols = lab.variants.map((v) => {
    const q = data.metrics[`busy_polling_queries_per_wait_${v}`]?.values;
    const probeMs = data.metrics[`http_req_duration{scenario:probe_${v}}`]?.values;
    const missed = [];
    if (q !== undefined && !(q.avg < maxQueries)) missed.push('queries');
    if (probeMs !== undefined && !(probeMs['p(95)'] < probeSloMs)) missed.push('probe p95');
    return {
      ran: q !== undefined,
      cells: [
        f(q?.avg),
        f(data.metrics[`busy_polling_noticed_after_ms_${v}`]?.values?.['p(95)']),
        f(data.metrics[`busy_polling_process_cpu_ms_${v}`]?.values?.med),
        f(probeMs?.med),
        f(probeMs?.['p(95)']),
        missed.length === 0 ? 'PASS' : `FAIL (${missed.join(', ')})`,
      ],
    };
  });
  const labels = [
    'DB queries per wait (avg)',
    'noticed after completion p95 (ms)',
    'process CPU per wait p50 (ms, process-wide)',
    `probe ${PROBE_ROUTE} p50 (ms)`,
    `probe ${PROBE_ROUTE} p95 (ms)`,
    'queries + probe objective',
  ];
  return [
    `### ${lab.id}: what waiting cost (JOB_MS=${jobMs}, probe ${probeRate}/s)`,
    '',
    `Objective: queries per wait < ${maxQueries}, probe p95 < ${probeSloMs} ms`,
    '',
    `| | ${lab.variants.join(' | ')} |`,
    `|---|${lab.variants.map(() => '---:').join('|')}|`,
    ...labels.map((label, i) => `| ${label} | ${cols.map((c) => (c.ran ? c.cells[i] : 'not run')).join(' | ')} |`),
    '',
  ].join('\n');
}
