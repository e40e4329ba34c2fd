// Pitfall 6, sync-over-async: blocking on async code with .GetAwaiter().GetResult().
//
// Same fixed arrival rate against both variants, one after the other:
//   good  awaits the async job (backend lookup + orders sum): no thread waits for the IO.
//   bad   a sync handler blocks on the very same async job. Each request holds a pool
//         thread, and the job's continuations need more pool threads, queued behind the
//         new requests: the pool starves, nothing completes for seconds, p95 explodes
//         until the pool has injected enough threads.
// The lab caps bad at 32 requests blocking at once (Guardrails__MaxBlockedRequests on the
// API) and skips requests whose client has already gone, so the process is back to normal
// seconds after the load; start the API with 0 to watch the uncapped spiral outlast the load.
// setup() first waits for a quiet thread pool, so a re-run starts as clean as a first run.
// Both variants are judged against the same objective: good passes, bad fails its p95,
// and k6 exits non-zero (99) because its thresholds fail. That is the expected outcome.
// The /deadlock variant is a one-click demo (a bounded 2 s wait), not a load test.
//
// Run (results in k6/results/sync-over-async.summary.{md,json}; in compose: pitfalls/sync-over-async.js):
//   k6 run k6/pitfalls/sync-over-async.js
//   k6 run -e SCENARIO=bad k6/pitfalls/sync-over-async.js
//   k6 run -e RATE=150 -e DURATION=30s k6/pitfalls/sync-over-async.js
import exec from 'k6/execution';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';

// 100 requests/s of a 100 ms job needs ~10 threads: a fresh pool has 2-4 and, once they
// block, injects a few a second, so bad starves for the first seconds of the run (with the
// cap of 32, p95 ~4.5 s in a C# replay of these defaults on 2 cores) while good stays at the
// backend delay. VUS and MAX_VUS keep lib's defaults (RATE, and RATE x TIMEOUT).
const DEFAULTS = {
  RATE: 100, // requests/s per variant
  DURATION: '20s', // per variant
  GAP: '30s', // idle pool threads retire after ~20 s: bad starts from a small pool, as good did
  TIMEOUT: '10s', // per request
  SLO_P95_MS: 500, // the objective both variants are judged against
  DELAY_MS: 100, // backend delay the job waits for (query delayMs)
};

const ROUTES = {
  good: '/pitfalls/sync-over-async/good',
  bad: '/pitfalls/sync-over-async/bad',
};

const lab = definePitfall({ id: 'sync-over-async', routes: ROUTES, defaults: DEFAULTS });
const delayMs = intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 5000);

export function run() {
  // A different user per iteration (1..5000), so the DB query is not one hot row.
  const userId = 1 + (exec.scenario.iterationInTest % 5000);
  lab.call(lab.currentVariant(), { query: { delayMs, userId } });
}

// setup waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const { options, setup, handleSummary } = lab;
