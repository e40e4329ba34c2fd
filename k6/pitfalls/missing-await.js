// Pitfall 2, missing-await: an async call nobody awaits.
//
// Each iteration places an order (POST) and reads it back the moment its 201 arrives (GET):
//   good  the save is awaited, in one transaction: the 201 means committed, the read finds the order.
//   bad   the save's Task is dropped: the 201 leaves before the write, the request's connection is
//         disposed under the save, and the read gets 404. Bad is *faster* than good and every one of
//         its POSTs succeeds: only the read-your-write check (and /lab/stats) shows the loss.
// Both are judged against the same objective (p95, failures, dropped iterations, checks) plus
// read_your_write > 99%: good passes, bad fails on failures, checks and read_your_write, and k6
// exits non-zero (99) because its thresholds fail. That is the expected outcome.
//
// Run (results in k6/results/missing-await.summary.{md,json}; in compose: pitfalls/missing-await.js):
//   k6 run [-e SCENARIO=bad] k6/pitfalls/missing-await.js
//   k6 run -e RATE=100 -e DELAY_MS=0 k6/pitfalls/missing-await.js   (the dispose race: watch stuckDisposes)
import exec from 'k6/execution';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';
import { callVariant } from '../lib/request.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 50, // orders/s per variant (each iteration is a POST and a GET)
  DURATION: '20s', // per variant
  GAP: '10s', // pause between variants
  TIMEOUT: '10s', // per request
  SLO_P95_MS: 500, // the objective every variant is judged against
  DELAY_MS: 50, // how long the backend's validation of the customer takes (query delayMs)
};

const ROUTES = {
  good: '/pitfalls/missing-await/good',
  bad: '/pitfalls/missing-await/bad',
};
// The read-your-write route; {id} is filled in per order, the template stays the request's name tag.
const ORDER = '/pitfalls/missing-await/orders/{id}';

const lab = definePitfall({
  id: 'missing-await', routes: ROUTES, defaults: DEFAULTS,
  tallies: { read_your_write: { type: 'rate', threshold: 'rate>0.99' } }, // part of every variant's objective
});
const delayMs = intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 5000);

export function run() {
  const variant = lab.currentVariant();
  const i = exec.scenario.iterationInTest;
  const { body } = lab.call(variant, {
    method: 'POST',
    query: { delayMs, requestKey: `k6/${variant}/${exec.vu.idInTest}-${i}-${Date.now()}` },
    json: { userId: 1 + (i % 5000), amount: 10 + (i % 90) },
    expectedStatuses: [201],
  });
  const id = /** @type {{ result?: { orderId?: unknown } } | undefined} */ (body)?.result?.orderId;
  if (typeof id !== 'number') return;

  // Immediately, as a client that was just told "created" would.
  const { res } = callVariant(lab.config, { pitfall: lab.id, variant, route: ORDER.replace('{id}', String(id)) }, {
    expectedStatuses: [200],
    observation: false,
    tags: { name: ORDER },
    checks: { 'read-your-write: the order is there right after its 201': (r) => r.status === 200 },
  });
  lab.tally.read_your_write.add(res.status === 200);
}

// setup waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const { options, setup, handleSummary } = lab;
