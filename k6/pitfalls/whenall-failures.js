// Pitfall 3, whenall-failures: what Task.WhenAll does with failures.
//
// Every request fetches COUNT users (default 10) from the backend in parallel; the backend fails each
// call with probability FAIL_RATE (default 5%). Same arrival rate, one variant after the other:
//   good      awaits every task without throwing: 200 with the users that arrived plus every error.
//   bad       await Task.WhenAll + catch: one failed item fails the whole request (502), the users that
//             arrived are thrown away, only the first error is reported. At 5% per item ~40% of requests
//             fail (1 - 0.95^10): `failed` and `checks` miss the objective.
//   failfast  all-or-nothing on purpose: the first failure cancels the siblings. It fails as many requests
//             as bad but throws no finished work away and reports every error, so its extra checks (read
//             from the answer's evidence, which a 502 carries too) pass where bad's fail.
// The second table: what the backend did to the items next to what callers saw. k6 exits 99 because
// bad and failfast miss the objective: the expected result.
//
// Run (results in k6/results/whenall-failures.summary.{md,json}; in compose: pitfalls/whenall-failures.js):
//   k6 run [-e SCENARIO=bad] [-e FAIL_RATE=0.01 -e COUNT=50] k6/pitfalls/whenall-failures.js
import { check } from 'k6';
import { definePitfall } from '../lib/pitfall.js';
import { envValue, intKnob, numberKnob } from '../lib/knobs.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 20, // requests/s per variant, each fanning out to COUNT backend calls
  DURATION: '20s', // per variant: ~400 requests, enough for the failure rates to settle
  GAP: '5s', // pause between variants (>= TIMEOUT)
  TIMEOUT: '5s', // per request
  SLO_P95_MS: 500, // latency is not the point here: every variant meets it
  COUNT: 10, // users per request (query count)
  FAIL_RATE: 0.05, // backend failure probability per call (query failRate)
  DELAY_MS: 100, // a successful call's duration (query delayMs)
  FAIL_AFTER_MS: 20, // a failing call's duration: shorter, so siblings are still running (query failAfterMs)
};

const ROUTES = {
  good: '/pitfalls/whenall-failures/good',
  bad: '/pitfalls/whenall-failures/bad',
  failfast: '/pitfalls/whenall-failures/failfast',
};

const query = {
  count: intKnob('COUNT', DEFAULTS.COUNT, 1, 200),
  failRate: numberKnob('FAIL_RATE', DEFAULTS.FAIL_RATE, 0, 1),
  delayMs: intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 5000),
  failAfterMs: intKnob('FAIL_AFTER_MS', DEFAULTS.FAIL_AFTER_MS, 0, 5000),
  failIds: envValue('FAIL_IDS') ?? '', // e.g. 3,7; empty overrides the API's demo default so only FAIL_RATE fails
};

const lab = definePitfall({
  id: 'whenall-failures', routes: ROUTES, defaults: DEFAULTS,
  // What really happened to the items, per variant, next to what the answers said.
  tallies: {
    items_failed: { type: 'rate', row: 'items failed at the backend' },
    http_req_failed: { stat: 'rate', row: 'requests failed' },
    errors_hidden: { type: 'count', row: 'errors hidden from the caller' },
    users_discarded: { type: 'count', row: 'users that arrived, thrown away' },
    calls_cancelled: { type: 'count', row: 'backend calls cancelled' },
  },
  tallyTable: { title: 'What happened to the items' },
});

export function run() {
  const variant = lab.currentVariant();
  const { body } = lab.call(variant, { query });
  const e = /** @type {{ evidence?: Record<string, number> } | undefined} */ (body)?.evidence ?? undefined;
  check(e, {
    'every error that happened is reported': (x) => x !== undefined && x.errorsReported === x.callsFailed,
    'no user that arrived is thrown away': (x) => x !== undefined && x.successesDiscarded === 0,
  }, { pitfall: lab.id, variant });
  if (e === undefined) return;
  for (let i = 0; i < e.requested; i++) lab.tally.items_failed.add(i < e.callsFailed);
  lab.tally.errors_hidden.add(e.errorsHidden);
  lab.tally.users_discarded.add(e.successesDiscarded);
  lab.tally.calls_cancelled.add(e.callsCancelled);
}

// setup waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const { options, setup, handleSummary } = lab;
