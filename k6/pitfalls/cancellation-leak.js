// Pitfall 7, cancellation-leak: a client that gives up, a handler that does not notice.
//
// Each iteration is a client that gives up, then a client that does not:
//   1. the slow report (a QUERY_MS query beside a DELAY_MS backend call), abandoned after GIVE_UP_MS,
//      as a client timeout or a closed tab would (k6 closes the connection);
//   2. a normal request right after (queryMs=0, delayMs=0), which only needs a free connection.
//   good  RequestAborted reaches the query (Npgsql cancels it in PostgreSQL), the backend call and
//         the pool; await using returns the connection: every follow-up gets 200.
//   bad   the token reaches nothing: each abandoned report holds its connection for QUERY_MS, then
//         its catch returns without closing it. At RATE=3 that is more than the pool's 5 connections
//         can give, so the follow-ups start failing with 503 "connection pool ... is exhausted"
//         after the pool's 1 s Timeout, and bad misses the objective on failures and checks.
// k6 exits 99 (thresholds failed): that is the expected outcome.
//
// Why these defaults: GIVE_UP_MS 500 is well before QUERY_MS, so every report is abandoned; good
// holds a connection for about GIVE_UP_MS per iteration (~2 of 5 at RATE=3), bad for QUERY_MS plus
// the lab's leak guard grace (2 s) before it is closed (~10 of 5; at RATE=2 the guard kept up too
// often: 0 of 8 follow-ups failed in one measured burst, 6 of 24 at RATE=3). QUERY_MS 1500 keeps the lab's
// recovery after bad's last iteration under 5 s (1.5 s query + 2 s grace + a 0.5 s sweep).
// The abandoned call ends in k6's own timeout (status 0): it is the point of the iteration, so it
// counts as expected and is not checked; its duration (GIVE_UP_MS) stays under SLO_P95_MS.
//
// Run (results in k6/results/cancellation-leak.summary.{md,json}; in compose: pitfalls/cancellation-leak.js):
//   k6 run [-e SCENARIO=bad] [-e RATE=1 -e QUERY_MS=5000] k6/pitfalls/cancellation-leak.js
// Watch GET /lab/stats meanwhile: pgActivity (pitfalllab/cancellation-leak/bad active, then idle)
// and pitfalls.cancellation-leak (leakedNow, reclaimed).
import http from 'k6/http';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';
import { withQuery } from '../lib/request.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 3, // iterations/s per variant (each: one abandoned report, one follow-up)
  DURATION: '20s', // per variant
  GAP: '15s', // pause between variants: bad's leaks are closed by the guard ~5 s after its last iteration
  TIMEOUT: '5s', // per follow-up request (a 503 from an exhausted pool comes after 1 s)
  SLO_P95_MS: 1500, // the objective every variant is judged against
  VUS: 6,
  MAX_VUS: 20,
  GIVE_UP_MS: 500, // the client timeout of the abandoned report
  QUERY_MS: 1500, // the report's query time in PostgreSQL (query queryMs)
  DELAY_MS: 1000, // the backend call beside it (query delayMs)
};

const ROUTES = {
  good: '/pitfalls/cancellation-leak/good',
  bad: '/pitfalls/cancellation-leak/bad',
};

const lab = definePitfall({ id: 'cancellation-leak', routes: ROUTES, defaults: DEFAULTS });
const giveUpMs = intKnob('GIVE_UP_MS', DEFAULTS.GIVE_UP_MS, 50, 60000);
const queryMs = intKnob('QUERY_MS', DEFAULTS.QUERY_MS, 0, 20000);
const delayMs = intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 20000);

// Whatever happens to the abandoned call (k6's timeout is status 0) is what the iteration wants.
const abandonedIsExpected = http.expectedStatuses(0, { min: 100, max: 599 });

export function run() {
  const variant = lab.currentVariant();
  const route = ROUTES[variant];
  http.get(`${lab.config.baseUrl}${withQuery(route, { queryMs, delayMs })}`, {
    timeout: `${giveUpMs}ms`,
    tags: { pitfall: lab.id, variant, name: `${route} (abandoned)` },
    responseCallback: abandonedIsExpected,
    responseType: 'none',
  });

  // A client that waits: it needs nothing but a free connection.
  lab.call(variant, {
    query: { queryMs: 0, delayMs: 0 },
    expectedStatuses: [200],
    tags: { name: `${route} (follow-up)` },
    checks: { 'follow-up got a connection (not 503 pool exhausted)': (r) => r.status !== 503 },
  });
}

export const { options, handleSummary } = lab;
