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
// Run from the repo root (results go to k6/results/unbounded-concurrency.summary.{md,json}):
//   k6 run k6/pitfalls/unbounded-concurrency.js
//   k6 run -e SCENARIO=bad k6/pitfalls/unbounded-concurrency.js
//   k6 run -e ITEMS=100 -e DELAY_MS=60 -e BOUND=5 k6/pitfalls/unbounded-concurrency.js
// With docker compose (k6/ is the working dir there):
//   docker compose run --rm k6 run pitfalls/unbounded-concurrency.js
import { Counter } from 'k6/metrics';
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

const lab = definePitfall({ id: 'unbounded-concurrency', routes: ROUTES, defaults: DEFAULTS });
const items = intKnob('ITEMS', DEFAULTS.ITEMS, 1, 2000);
const queryMs = intKnob('QUERY_MS', DEFAULTS.QUERY_MS, 0, 1000);
const delayMs = intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 5000);
const cap = intKnob('CAP', DEFAULTS.CAP, 1, 1000);
const bound = intKnob('BOUND', DEFAULTS.BOUND, 1, 500);

const CAUSES = /** @type {const} */ (['poolExhausted', 'tooManyRequests', 'other']);
const itemsFailed = new Counter('items_failed');

// Zero failed items is part of the objective, the same for every variant.
export const options = {
  ...lab.options,
  thresholds: {
    ...lab.options.thresholds,
    ...Object.fromEntries(Object.keys(lab.options.scenarios ?? {}).map((v) => [`items_failed{scenario:${v}}`, ['count<1']])),
  },
};

/**
 * The batch's failures by cause, from the observation's evidence.
 * @param {unknown} body
 * @returns {Record<string, number> | undefined}
 */
function failures(body) {
  const evidence = /** @type {{ evidence?: { failures?: Record<string, number> } } | null} */ (body)?.evidence;
  return evidence?.failures;
}

export function run() {
  const variant = lab.currentVariant();
  const query = { items, queryMs, delayMs, cap, bound: variant === 'good' ? bound : undefined };
  const { body } = lab.call(variant, {
    query,
    checks: { 'every item succeeded': (res) => CAUSES.every((c) => failures(jsonBody(res))?.[c] === 0) },
  });
  // Registered even at zero, so that every variant's items_failed threshold has a sample to judge.
  const counts = failures(body);
  for (const cause of CAUSES) itemsFailed.add(counts?.[cause] ?? 0, { cause });
}

// Waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const setup = lab.setup;

/** @param {import('../lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return lab.handleSummary(data);
}
