// Pitfall 1, blocking-io: synchronous IO inside an async handler.
//
// Same fixed arrival rate against three variants, one after the other:
//   good       QueryAsync + SendAsync: threads go back to the pool while IO waits.
//   bad        sync query + sync backend call: each request holds a pool thread
//              for the whole IO; the pool starves, p95 climbs, requests time out.
//   offloaded  await Task.Run(syncCall), the run_in_executor "fix": still one
//              blocked pool thread per request, so it fails like bad.
// All three are judged against the same objective (p95, failures, dropped
// iterations, checks): good passes, bad and offloaded visibly fail, and k6 exits
// non-zero (99) because their thresholds fail. That is the expected outcome.
//
// Run from the repo root (results go to k6/results/blocking-io.summary.{md,json}):
//   k6 run k6/pitfalls/blocking-io.js
//   k6 run -e SCENARIO=bad k6/pitfalls/blocking-io.js
//   k6 run -e RATE=200 -e DURATION=30s -e DELAY_MS=200 k6/pitfalls/blocking-io.js
// With docker compose (k6/ is the working dir there):
//   docker compose run --rm k6 run pitfalls/blocking-io.js
import exec from 'k6/execution';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 100, // requests/s per variant
  DURATION: '20s', // per variant
  GAP: '30s', // pause between variants: idle pool threads retire after ~20 s, so the next variant starts from a small pool
  TIMEOUT: '10s', // per request
  SLO_P95_MS: 500, // the objective every variant is judged against
  VUS: 100, // preAllocatedVUs
  MAX_VUS: 1000, // RATE x TIMEOUT: enough never to drop while requests stay under TIMEOUT
  DELAY_MS: 100, // backend delay the API waits for (query delayMs)
};

const ROUTES = {
  good: '/pitfalls/blocking-io/good',
  bad: '/pitfalls/blocking-io/bad',
  offloaded: '/pitfalls/blocking-io/offloaded',
};

const lab = definePitfall({ id: 'blocking-io', routes: ROUTES, defaults: DEFAULTS });
const delayMs = intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 60000);

export const options = lab.options;

export function run() {
  // A different user per iteration (1..5000), so the DB query is not one hot row.
  const userId = 1 + (exec.scenario.iterationInTest % 5000);
  lab.call(lab.currentVariant(), { query: { delayMs, userId } });
}

/** @param {import('../lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return lab.handleSummary(data);
}
