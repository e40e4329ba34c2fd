// Pitfall 5, unbounded-concurrency: a batch fanned out with Task.WhenAll, every item at once.
//
// Each request is a batch of ITEMS orders; each order needs one PostgreSQL query (QUERY_MS)
// and then one backend call (DELAY_MS) under the backend's concurrency cap (CAP):
//   good  Parallel.ForEachAsync, MaxDegreeOfParallelism = BOUND: every item succeeds.
//   bad   Task.WhenAll over every item: the calls beyond the cap get 429 Too Many Requests.
// A batch answers 200 either way (it finishes with a tally), so the objective adds a check,
// "every item succeeded", and counts failed items by cause in `items_failed` (tags: cause).
// Good passes; bad fails its checks on every batch; k6 exits 99 (thresholds failed): expected.
//
// Why these defaults differ from the endpoint's: the bound is per request and the cap is the
// backend's, so batches that overlap add up (two at the endpoint's bound 16 exceed the cap 20).
// Here a good batch of 50 short items takes a fraction of a second, and BOUND=10 keeps even two
// overlapping batches within the cap. Pool exhaustion needs a batch that holds more than 20
// connection-seconds (pool size x its 1 s Timeout), which even bounded takes more than a second,
// so one request a second cannot show it without good overlapping itself: one request with the
// endpoint's defaults does (curl .../pitfalls/unbounded-concurrency/bad), and the C# test proves it.
//
// Run (results in k6/results/unbounded-concurrency.summary.{md,json}; in compose: pitfalls/unbounded-concurrency.js):
//   k6 run [-e SCENARIO=bad] [-e ITEMS=100 -e DELAY_MS=60 -e BOUND=5] k6/pitfalls/unbounded-concurrency.js
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';
import { jsonBody } from '../lib/request.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 1, // batches/s per variant: one batch at a time, see above
  DURATION: '20s', // per variant
  GAP: '10s', // pause between variants (>= TIMEOUT)
  TIMEOUT: '10s', // per request
  SLO_P95_MS: 2000, // the objective every variant is judged against
  VUS: 2,
  MAX_VUS: 10,
  ITEMS: 50, // orders per batch (query items)
  QUERY_MS: 5, // each item's query time in PostgreSQL (query queryMs)
  DELAY_MS: 50, // each backend call (query delayMs): slower than the query, so bad's calls pile up
  CAP: 20, // the backend's concurrency cap (query cap)
  BOUND: 10, // good's MaxDegreeOfParallelism (query bound, good only): two overlapping batches fit the cap
};

const ROUTES = {
  good: '/pitfalls/unbounded-concurrency/good',
  bad: '/pitfalls/unbounded-concurrency/bad',
};

const query = {
  items: intKnob('ITEMS', DEFAULTS.ITEMS, 1, 2000),
  queryMs: intKnob('QUERY_MS', DEFAULTS.QUERY_MS, 0, 1000),
  delayMs: intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 5000),
  cap: intKnob('CAP', DEFAULTS.CAP, 1, 1000),
};
const bound = intKnob('BOUND', DEFAULTS.BOUND, 1, 500);

// Zero failed items is part of the objective, the same for every variant.
const lab = definePitfall({
  id: 'unbounded-concurrency', routes: ROUTES, defaults: DEFAULTS,
  tallies: { items_failed: { type: 'count', threshold: 'count<1' } },
});

const CAUSES = /** @type {const} */ (['poolExhausted', 'tooManyRequests', 'other']);
/** @param {unknown} body @returns {Record<string, number> | undefined} the batch's failures by cause */
const failures = (body) => /** @type {{ evidence?: { failures?: Record<string, number> } } | null} */ (body)?.evidence?.failures;

export function run() {
  const variant = lab.currentVariant();
  const { body } = lab.call(variant, {
    query: { ...query, bound: variant === 'good' ? bound : undefined },
    checks: { 'every item succeeded': (res) => CAUSES.every((c) => failures(jsonBody(res))?.[c] === 0) },
  });
  // Registered even at zero, so that every variant's items_failed threshold has a sample to judge.
  const counts = failures(body);
  for (const cause of CAUSES) lab.tally.items_failed.add(counts?.[cause] ?? 0, { cause });
}

// setup waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const { options, setup, handleSummary } = lab;
