// Pitfall 3, whenall-failures: what Task.WhenAll does with failures.
//
// Every request fetches COUNT users (default 10) from the backend in parallel; the backend
// fails each call with probability FAIL_RATE (default 5%). Same arrival rate, one variant after the other:
//   good      awaits every task without throwing: 200 with the users that arrived plus every error.
//             One failed item costs one item. Passes the objective.
//   bad       await Task.WhenAll + catch: one failed item fails the whole request (502), the users
//             that arrived are thrown away, only the first error is reported. At 5% per item about
//             40% of requests fail (1 - 0.95^10): `failed` and `checks` miss the objective.
//   failfast  all-or-nothing on purpose: the first failure cancels the siblings. It fails as many
//             requests as bad (that is what all-or-nothing costs) but throws no finished work away
//             and reports every error, so its extra checks pass where bad's fail.
// Checks besides the status: 'every error that happened is reported' and 'no user that arrived is
// thrown away', read from the answer's evidence (a 502 carries it too). The summary adds a second
// table: item failure rate (what the backend did) next to the request failure rate (what callers saw).
// k6 exits 99 because bad and failfast miss the objective: that is the expected result.
//
// Run from the repo root (results go to k6/results/whenall-failures.summary.{md,json}):
//   k6 run k6/pitfalls/whenall-failures.js
//   k6 run -e SCENARIO=bad k6/pitfalls/whenall-failures.js
//   k6 run -e FAIL_RATE=0.01 -e COUNT=50 k6/pitfalls/whenall-failures.js
// With docker compose (k6/ is the working dir there):
//   docker compose run --rm k6 run pitfalls/whenall-failures.js
import { check } from 'k6';
import { Counter, Rate } from 'k6/metrics';
import { definePitfall } from '../lib/pitfall.js';
import { envValue, intKnob, numberKnob } from '../lib/knobs.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 20, // requests/s per variant, each fanning out to COUNT backend calls
  DURATION: '20s', // per variant: ~400 requests, enough for the failure rates to settle
  GAP: '5s',
  TIMEOUT: '5s',
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

const lab = definePitfall({ id: 'whenall-failures', routes: ROUTES, defaults: DEFAULTS });
const query = {
  count: intKnob('COUNT', DEFAULTS.COUNT, 1, 200),
  failRate: numberKnob('FAIL_RATE', DEFAULTS.FAIL_RATE, 0, 1),
  delayMs: intKnob('DELAY_MS', DEFAULTS.DELAY_MS, 0, 5000),
  failAfterMs: intKnob('FAIL_AFTER_MS', DEFAULTS.FAIL_AFTER_MS, 0, 5000),
  failIds: envValue('FAIL_IDS') ?? '', // e.g. 3,7; empty overrides the API's demo default so only FAIL_RATE fails
};

// What really happened to the items, per variant, next to what the answers said.
const itemsFailed = new Rate('items_failed');
const errorsHidden = new Counter('errors_hidden');
const usersDiscarded = new Counter('users_discarded');
const callsCancelled = new Counter('calls_cancelled');

/** @type {Array<[string, string]>} metric name, always-true threshold */
const TALLIES = [['items_failed', 'rate>=0'], ['errors_hidden', 'count>=0'], ['users_discarded', 'count>=0'], ['calls_cancelled', 'count>=0']];

export const options = {
  ...lab.options,
  thresholds: {
    ...lab.options.thresholds,
    // Always true: they only make k6 keep per-variant submetrics for the summary's second table.
    ...Object.fromEntries(Object.keys(lab.options.scenarios ?? {}).flatMap((v) =>
      TALLIES.map(([name, always]) => [`${name}{scenario:${v}}`, [always]]))),
  },
};

/**
 * @typedef {{ requested: number, callsFailed: number, callsCancelled: number,
 *   errorsReported: number, errorsHidden: number, successesDiscarded: number }} Evidence
 */

/** @param {unknown} body @returns {Evidence | undefined} */
function evidenceOf(body) {
  if (typeof body !== 'object' || body === null) return undefined;
  const e = /** @type {{ evidence?: Evidence }} */ (body).evidence;
  return typeof e === 'object' && e !== null ? e : undefined;
}

export function run() {
  const variant = lab.currentVariant();
  const { body } = lab.call(variant, { query });
  const e = evidenceOf(body);
  check(e, {
    'every error that happened is reported': (x) => x !== undefined && x.errorsReported === x.callsFailed,
    'no user that arrived is thrown away': (x) => x !== undefined && x.successesDiscarded === 0,
  }, { pitfall: lab.id, variant });
  if (e === undefined) return;
  for (let i = 0; i < e.requested; i++) itemsFailed.add(i < e.callsFailed);
  errorsHidden.add(e.errorsHidden);
  usersDiscarded.add(e.successesDiscarded);
  callsCancelled.add(e.callsCancelled);
}

// Waits for a quiet thread pool first, so a re-run starts as clean as a first run (lib/quiet.js).
export const setup = lab.setup;

/** @param {import('../lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  const out = lab.handleSummary(data);
  /** @param {string} metric @param {string} v @param {string} stat */
  const value = (metric, v, stat) => data.metrics[`${metric}{scenario:${v}}`]?.values[stat];
  /** @param {number | undefined} x */
  const pct = (x) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  /** @param {number | undefined} x */
  const num = (x) => (x === undefined ? 'n/a' : String(x));
  const ran = Object.keys(lab.options.scenarios ?? {});
  /** @type {Array<[string, (v: string) => string]>} */
  const rows = [
    ['items failed at the backend', (v) => pct(value('items_failed', v, 'rate'))],
    ['requests failed', (v) => pct(value('http_req_failed', v, 'rate'))],
    ['errors hidden from the caller', (v) => num(value('errors_hidden', v, 'count'))],
    ['users that arrived, thrown away', (v) => num(value('users_discarded', v, 'count'))],
    ['backend calls cancelled', (v) => num(value('calls_cancelled', v, 'count'))],
  ];
  const table = [
    '### What happened to the items',
    '',
    `| | ${ran.join(' | ')} |`,
    `|---|${ran.map(() => '---:').join('|')}|`,
    ...rows.map(([label, f]) => `| ${label} | ${ran.map(f).join(' | ')} |`),
    '',
  ].join('\n');
  const md = `${lab.config.resultsDir}/${lab.id}.summary.md`;
  return { ...out, stdout: `${out.stdout}${table}\n`, [md]: `${out[md]}\n${table}` };
}
