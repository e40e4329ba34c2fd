// Pitfall 10, fire-and-forget: 202 Accepted, then the work fails and nobody knows.
//
// Each iteration charges one customer (FAIL_RATE 0.5: the backend declines about half of the customers,
// always the same ones), then follows the charge until it is over, as a client would:
//   good  bounded Channel + BackgroundService: the 202 names a status URL, and every charge ends `done`
//         or `failed` with its error. Its checks pass.
//   bad   _ = Task.Run(charge): no status URL, and GET /jobs/{chargeId} answers 404: nobody can tell how
//         any charge ended. Its checks and failed-request rate miss the objective; latency is not the symptom.
// teardown() forces a GC (POST /collect), then prints the pitfall's /lab/stats before and after the run
// (failures that happened vs failures anyone could see) and what UnobservedTaskException reported.
//
// Run (results in k6/results/fire-and-forget.summary.{md,json}; in compose: pitfalls/fire-and-forget.js):
//   k6 run [-e SCENARIO=bad] [-e FAIL_RATE=1 -e DELAY_MS=300] k6/pitfalls/fire-and-forget.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob, numberKnob } from '../lib/knobs.js';
import { jsonBody, pollRoute } from '../lib/request.js';

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

const lab = definePitfall({
  id: 'fire-and-forget', routes: ROUTES, defaults: DEFAULTS,
  tallies: { charge_failures_seen: 'count', charge_outcomes_unknown: 'count' },
  // At the end: a forced GC, then the stats before and after, then what UnobservedTaskException saw.
  statsAround: (config) => {
    const collect = http.post(`${config.baseUrl}/pitfalls/fire-and-forget/collect`, null, { timeout: config.timeout, responseType: 'text' });
    const unobserved = /** @type {{ result?: { after?: unknown } } | undefined} */ (jsonBody(collect))?.result?.after;
    return [`fire-and-forget after a forced GC, UnobservedTaskException so far: ${JSON.stringify(unobserved)}`,
      'Compare failuresHappened with failuresVisible per variant: good shows every failure, bad none.'];
  },
});
const query = { failRate: numberKnob('FAIL_RATE', DEFAULTS.FAIL_RATE, 0, 1), delayMs: intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 5000) };
const pollMaxMs = intKnob('POLL_MAX_MS', DEFAULTS.POLL_MAX_MS, 100, 60000);
/** @param {import('k6/http').RefinedResponse<'text'>} r @returns {{ status?: string, error?: string | null } | undefined} */
const jobOf = (r) => (r.status === 200 ? /** @type {{ status?: string }} */ (jsonBody(r)) : undefined);
/** Over for its client: done, failed, or nothing to follow. @param {ReturnType<typeof jobOf>} j */
const over = (j) => j === undefined || j.status === 'done' || j.status === 'failed';

export function run() {
  const variant = lab.currentVariant();
  // A different customer per iteration (1..5000): the backend declines the same ones in every run.
  const customerId = 1 + (exec.scenario.iterationInTest % 5000);
  const { res, body } = lab.call(variant, { method: 'POST', query: { customerId, ...query }, expectedStatuses: [202],
    checks: { '202 names a status URL (Location)': (r) => (r.headers.Location ?? '') !== '' } });
  const chargeId = /** @type {{ result?: { chargeId?: string } } | undefined} */ (body)?.result?.chargeId;
  if (res.status !== 202 || chargeId === undefined) return;

  // Follow the charge until it is over (or POLL_MAX_MS), as its client would.
  const status = pollRoute(lab.config, JOB_ROUTE.replace('{id}', encodeURIComponent(chargeId)),
    { tags: { pitfall: lab.id, variant, name: JOB_ROUTE }, until: (r) => over(jobOf(r)), maxMs: pollMaxMs });
  const job = jobOf(status);
  const known = job !== undefined && (job.status === 'done' || (job.status === 'failed' && (job.error ?? '') !== ''));
  check(status, {
    'charge status is findable': (r) => r.status === 200,
    'outcome is known: done, or failed with its error': () => known,
  }, { pitfall: lab.id, variant });
  if (job?.status === 'failed') lab.tally.charge_failures_seen.add(1);
  if (!known) lab.tally.charge_outcomes_unknown.add(1);
}

export const { options, setup, teardown, handleSummary } = lab;
