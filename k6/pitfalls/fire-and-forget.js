// Pitfall 10, fire-and-forget: 202 Accepted, then the work fails and nobody knows.
//
// Each iteration charges one customer (FAIL_RATE 0.5: the backend declines about half of the
// customers, always the same ones), then follows the charge until it is over, as a client would:
//   good  bounded Channel + BackgroundService: the 202 names a status URL, and every charge ends
//         `done` or `failed` with its error. Its checks pass.
//   bad   _ = Task.Run(charge): the 202 names no status URL and GET /jobs/{chargeId} answers 404,
//         so for every charge, failed or not, nobody can tell how it ended. Its checks and its
//         failed-request rate miss the objective.
// Latency is not the symptom (both answer 202 in milliseconds): the failed checks are.
// teardown() then forces a GC (POST /collect) and prints, per variant, the failures that happened
// (the lab counts them inside the charge) against the failures anyone could see, and how many of
// bad's lost exceptions UnobservedTaskException reported after that GC.
//
// Run from the repo root (results go to k6/results/fire-and-forget.summary.{md,json}):
//   k6 run k6/pitfalls/fire-and-forget.js
//   k6 run -e SCENARIO=bad k6/pitfalls/fire-and-forget.js
//   k6 run -e FAIL_RATE=1 -e DELAY_MS=300 k6/pitfalls/fire-and-forget.js
// With docker compose (k6/ is the working dir there):
//   docker compose run --rm k6 run pitfalls/fire-and-forget.js
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob, numberKnob } from '../lib/knobs.js';
import { jsonBody } from '../lib/request.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 20, // charges/s per variant; good's worker (4 consumers) keeps up with this at DELAY_MS=100
  DURATION: '20s', // per variant
  GAP: '10s', // bad's dropped tasks end within DELAY_MS; nothing to recover from
  TIMEOUT: '10s', // per request
  SLO_P95_MS: 500, // the objective every variant is judged against
  DELAY_MS: 100, // how long the payment provider takes (query delayMs)
  FAIL_RATE: 0.5, // share of customers the payment provider declines (query failRate)
  POLL_MAX_MS: 5000, // how long a client follows one charge before giving up
};

const ROUTES = {
  good: '/pitfalls/fire-and-forget/good',
  bad: '/pitfalls/fire-and-forget/bad',
};
const JOB_ROUTE = '/pitfalls/fire-and-forget/jobs/{id}';

const lab = definePitfall({ id: 'fire-and-forget', routes: ROUTES, defaults: DEFAULTS });
const delayMs = intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 5000);
const failRate = numberKnob('FAIL_RATE', DEFAULTS.FAIL_RATE, 0, 1);
const pollMaxMs = intKnob('POLL_MAX_MS', DEFAULTS.POLL_MAX_MS, 100, 60000);

const failuresSeen = new Counter('charge_failures_seen');
const outcomesUnknown = new Counter('charge_outcomes_unknown');

export const options = lab.options;

/** @typedef {{ status?: string, error?: string | null }} Job */

/** @param {string} variant @param {string} chargeId @returns {{ res: import('k6/http').RefinedResponse<'text'>, job: Job | undefined }} */
function followCharge(variant, chargeId) {
  const url = `${lab.config.baseUrl}${JOB_ROUTE.replace('{id}', encodeURIComponent(chargeId))}`;
  const params = { timeout: lab.config.timeout, tags: { pitfall: lab.id, variant, name: JOB_ROUTE }, responseType: /** @type {const} */ ('text') };
  const deadline = Date.now() + pollMaxMs;
  for (;;) {
    const res = http.get(url, params);
    const job = res.status === 200 ? /** @type {Job | undefined} */ (jsonBody(res)) : undefined;
    if (job === undefined || job.status === 'done' || job.status === 'failed' || Date.now() > deadline) return { res, job };
    sleep(0.05);
  }
}

export function run() {
  const variant = lab.currentVariant();
  // A different customer per iteration (1..5000): the backend declines the same ones in every run.
  const customerId = 1 + (exec.scenario.iterationInTest % 5000);
  const { res, body } = lab.call(variant, {
    method: 'POST',
    query: { customerId, failRate, delayMs },
    expectedStatuses: [202],
    checks: { '202 names a status URL (Location)': (r) => (r.headers.Location ?? '') !== '' },
  });
  const result = /** @type {{ result?: { chargeId?: string } } | undefined} */ (body)?.result;
  if (res.status !== 202 || result?.chargeId === undefined) return;

  const { res: status, job } = followCharge(variant, result.chargeId);
  const known = job !== undefined && (job.status === 'done' || (job.status === 'failed' && (job.error ?? '') !== ''));
  check(status, {
    'charge status is findable': (r) => r.status === 200,
    'outcome is known: done, or failed with its error': () => known,
  }, { pitfall: lab.id, variant });
  if (job?.status === 'failed') failuresSeen.add(1, { variant });
  if (!known) outcomesUnknown.add(1, { variant });
}

/** @returns {Record<string, unknown>} the pitfall's tallies before the run */
export function setup() {
  lab.setup();
  return tallies();
}

/** @param {Record<string, unknown>} before */
export function teardown(before) {
  const collect = http.post(`${lab.config.baseUrl}/pitfalls/fire-and-forget/collect`, null, { timeout: lab.config.timeout, responseType: 'text' });
  const after = tallies();
  const unobserved = /** @type {{ result?: { after?: unknown } } | undefined} */ (jsonBody(collect))?.result?.after;
  console.log(`${lab.id} tallies before the run: ${JSON.stringify(before)}`);
  console.log(`${lab.id} tallies after it: ${JSON.stringify(after)}`);
  console.log(`${lab.id} after a forced GC, UnobservedTaskException so far: ${JSON.stringify(unobserved)}`);
  console.log('Compare failuresHappened with failuresVisible per variant: good shows every failure, bad none.');
}

/** @returns {Record<string, unknown>} */
function tallies() {
  const res = http.get(`${lab.config.baseUrl}/lab/stats`, { timeout: lab.config.timeout, responseType: 'text' });
  const stats = /** @type {{ pitfalls?: Record<string, Record<string, unknown>> } | undefined} */ (jsonBody(res));
  return stats?.pitfalls?.[lab.id] ?? {};
}

/** @param {import('../lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return lab.handleSummary(data);
}
