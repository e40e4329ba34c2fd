// Pitfall 8, busy-polling: waiting for a background job by polling its row vs by a signal.
//
// Each request starts a job that the API's worker finishes after JOB_MS, then waits for it:
//   good  LISTEN/NOTIFY: the waiter sleeps on its connection until the worker's NOTIFY (3 commands a wait).
//   bad   SELECT the row, await Task.Yield(), SELECT again...: hundreds of queries a wait, a core kept busy.
// Beside each variant a probe times an unrelated request (PROBE_ROUTE: one small query + one backend call).
// The waiters' own latency barely differs (bad may even notice sooner): busy polling hurts everyone else.
// So the objective, the same for both, adds to the lab's usual one (p95, failures, dropped, checks)
// DB queries per wait (avg < MAX_QUERIES_PER_WAIT) and the probe's p95 (< PROBE_SLO_P95_MS).
// Good passes; bad fails the queries part and, on a 2-core machine, the probe part: k6 exits 99 (expected).
//
// Run (results in k6/results/busy-polling.summary.{md,json}; in compose: pitfalls/busy-polling.js):
//   k6 run [-e SCENARIO=bad] [-e RATE=60 -e JOB_MS=500 -e PROBE_SLO_P95_MS=50] k6/pitfalls/busy-polling.js
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';

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

const jobMs = intKnob('JOB_MS', DEFAULTS.JOB_MS, 0, 10000);
const probeRate = intKnob('PROBE_RATE', DEFAULTS.PROBE_RATE, 1, 1000);
const probeSloMs = intKnob('PROBE_SLO_P95_MS', DEFAULTS.PROBE_SLO_P95_MS, 1, 3600000);
const maxQueries = intKnob('MAX_QUERIES_PER_WAIT', DEFAULTS.MAX_QUERIES_PER_WAIT, 1, 1000000);

const lab = definePitfall({
  id: 'busy-polling', routes: ROUTES, defaults: DEFAULTS,
  // Read back from each observation's evidence.
  tallies: {
    busy_polling_queries_per_wait: { type: 'trend', row: 'DB queries per wait (avg)', threshold: `avg<${maxQueries}`, missed: 'queries' },
    busy_polling_noticed_after_ms: { type: 'time', row: 'noticed after completion p95 (ms)', stat: 'p(95)' },
    busy_polling_process_cpu_ms: { type: 'time', row: 'process CPU per wait p50 (ms, process-wide)', stat: 'med' },
  },
  probe: { route: PROBE_ROUTE, rate: probeRate, sloP95Ms: probeSloMs },
  tallyTable: {
    title: `busy-polling: what waiting cost (JOB_MS=${jobMs}, probe ${probeRate}/s)`,
    note: `Objective: queries per wait < ${maxQueries}, probe p95 < ${probeSloMs} ms`,
    objective: 'queries + probe objective',
  },
});

export function run() {
  const { body } = lab.call(lab.currentVariant(), { method: 'POST', query: { jobMs } });
  const e = /** @type {{ evidence?: Record<string, number | null> } | undefined} */ (body)?.evidence;
  if (typeof e?.queriesWhileWaiting === 'number') lab.tally.busy_polling_queries_per_wait.add(e.queriesWhileWaiting);
  if (typeof e?.noticedAfterMs === 'number') lab.tally.busy_polling_noticed_after_ms.add(e.noticedAfterMs);
  if (typeof e?.processCpuMs === 'number') lab.tally.busy_polling_process_cpu_ms.add(e.processCpuMs);
}

// setup waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const { options, probe, setup, handleSummary } = lab;
