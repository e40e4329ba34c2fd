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
// Why these defaults: 100 requests/s that each wait 500 ms on the backend keep 50
// requests in flight. Async code holds no thread for them. Blocking code needs 50
// threads; the pool starts at one per core and adds one or two a second, and the lab
// lets a thread-blocking variant hold at most 32 at once (its guardrail,
// Guardrails__MaxBlockedRequests, which bounds the damage to the run). So bad can never
// serve more than 64 of the 100 requests a second: it fails the same way every run,
// instead of failing or not depending on how fast the pool happened to grow (with
// 100 ms of delay, 10 threads suffice and the outcome was a coin flip). The lab also
// skips requests whose client has gone, so it is fine seconds after the load, and
// setup() waits until an earlier run's threads have retired (lib/quiet.js).
//
// Run (results in k6/results/blocking-io.summary.{md,json}; in compose: pitfalls/blocking-io.js):
//   k6 run k6/pitfalls/blocking-io.js
//   k6 run -e SCENARIO=bad k6/pitfalls/blocking-io.js
//   k6 run -e RATE=200 -e DURATION=30s -e DELAY_MS=200 k6/pitfalls/blocking-io.js
import exec from 'k6/execution';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 100, // requests/s per variant
  DURATION: '20s', // per variant
  GAP: '30s', // pause between variants: idle pool threads retire after ~20 s, so the next variant starts from a small pool
  TIMEOUT: '10s', // per request
  SLO_P95_MS: 1000, // the objective every variant is judged against: twice good's 500 ms of backend wait
  VUS: 100, // preAllocatedVUs
  MAX_VUS: 1000, // RATE x TIMEOUT: enough never to drop while requests stay under TIMEOUT
  DELAY_MS: 500, // backend delay the API waits for (query delayMs): 50 requests in flight at RATE 100
};

const ROUTES = {
  good: '/pitfalls/blocking-io/good',
  bad: '/pitfalls/blocking-io/bad',
  offloaded: '/pitfalls/blocking-io/offloaded',
};

const lab = definePitfall({ id: 'blocking-io', routes: ROUTES, defaults: DEFAULTS });
const delayMs = intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 60000);

export function run() {
  // A different user per iteration (1..5000), so the DB query is not one hot row.
  const userId = 1 + (exec.scenario.iterationInTest % 5000);
  lab.call(lab.currentVariant(), { query: { delayMs, userId } });
}

// setup waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const { options, setup, handleSummary } = lab;
