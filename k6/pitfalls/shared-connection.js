// Pitfall 9, shared-connection: one NpgsqlConnection shared by parallel tasks.
//
// Every request looks up LOOKUPS users (default 10, each its own query against the seeded users
// and orders) in parallel. Same arrival rate, one variant after the other:
//   good     Task.WhenAll, one pooled connection per lookup: every item succeeds. Passes.
//   bad      Task.WhenAll on ONE connection: a connection runs one command at a time, so the lookups
//            started while one runs fail with NpgsqlOperationInProgressException ("A command is
//            already in progress"). Each request still answers 200 with a tally, so bad fails on
//            its checks ('every lookup succeeded') and on `item_errors`, not on status or latency.
//   batched  one NpgsqlBatch on one connection: one round trip, every item succeeds. Passes.
// Why these defaults: the failure needs no load at all (it happens inside every single request),
// so the rate is modest. 20 requests/s of 10 quick lookups keep good well inside its pool of 20
// connections (a request takes ~10 ms, so requests rarely overlap) and every variant far below
// the p95 objective: the only difference the table shows is the one the pitfall makes.
// The second table: item error rate, commands refused by the connection, and round trips and
// connections per request (read from each answer's evidence).
// k6 exits 99 because bad misses the objective: that is the expected result.
//
// Run from the repo root (results go to k6/results/shared-connection.summary.{md,json}):
//   k6 run k6/pitfalls/shared-connection.js
//   k6 run -e SCENARIO=bad k6/pitfalls/shared-connection.js
//   k6 run -e LOOKUPS=50 -e RATE=5 k6/pitfalls/shared-connection.js
// With docker compose (k6/ is the working dir there):
//   docker compose run --rm k6 run pitfalls/shared-connection.js
import { Counter, Rate, Trend } from 'k6/metrics';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';
import { jsonBody } from '../lib/request.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 20, // requests/s per variant
  DURATION: '20s', // per variant: ~400 requests, ~4,000 lookups
  GAP: '5s', // pause between variants (>= TIMEOUT)
  TIMEOUT: '5s', // per request
  SLO_P95_MS: 500, // latency is not the point here: every variant meets it
  LOOKUPS: 10, // users looked up in parallel per request (query lookups)
};

const ROUTES = {
  good: '/pitfalls/shared-connection/good',
  bad: '/pitfalls/shared-connection/bad',
  batched: '/pitfalls/shared-connection/batched',
};

const lab = definePitfall({ id: 'shared-connection', routes: ROUTES, defaults: DEFAULTS });
const lookups = intKnob('LOOKUPS', DEFAULTS.LOOKUPS, 1, 100);

const itemErrors = new Rate('item_errors');
const commandsRefused = new Counter('commands_refused');
const roundTrips = new Trend('round_trips');
const connectionsUsed = new Trend('connections_used');

export const options = {
  ...lab.options,
  thresholds: {
    ...lab.options.thresholds,
    // Part of the objective, the same for every variant: (almost) no lookup fails.
    ...Object.fromEntries(Object.keys(lab.options.scenarios ?? {}).flatMap((v) => [
      [`item_errors{scenario:${v}}`, ['rate<0.01']],
      // Always true: they only make k6 keep per-variant submetrics for the second table.
      [`commands_refused{scenario:${v}}`, ['count>=0']],
      [`round_trips{scenario:${v}}`, ['avg>=0']],
      [`connections_used{scenario:${v}}`, ['avg>=0']],
    ])),
  },
};

/**
 * @typedef {{ itemsOk: number, itemsFailed: number, commandsRefused: number, roundTrips: number,
 *   connectionsUsed: number }} Evidence
 */

/** @param {unknown} body @returns {Evidence | undefined} */
function evidenceOf(body) {
  if (typeof body !== 'object' || body === null) return undefined;
  const e = /** @type {{ evidence?: Evidence }} */ (body).evidence;
  return typeof e === 'object' && e !== null ? e : undefined;
}

export function run() {
  const variant = lab.currentVariant();
  // Other users every time (every id is seeded): firstUserId in 1..4901, lookups at most 100.
  const firstUserId = 1 + Math.floor(Math.random() * (4902 - lookups));
  const { body } = lab.call(variant, {
    query: { lookups, firstUserId },
    checks: { 'every lookup succeeded': (res) => evidenceOf(jsonBody(res))?.itemsFailed === 0 },
  });
  const e = evidenceOf(body);
  if (e === undefined) {
    for (let i = 0; i < lookups; i++) itemErrors.add(true); // no answer: no lookup arrived
    return;
  }
  for (let i = 0; i < e.itemsOk + e.itemsFailed; i++) itemErrors.add(i < e.itemsFailed);
  commandsRefused.add(e.commandsRefused);
  roundTrips.add(e.roundTrips);
  connectionsUsed.add(e.connectionsUsed);
}

/** @param {import('../lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  const out = lab.handleSummary(data);
  /** @param {string} metric @param {string} v @param {string} stat */
  const value = (metric, v, stat) => data.metrics[`${metric}{scenario:${v}}`]?.values[stat];
  /** @param {number | undefined} x */
  const pct = (x) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  /** @param {number | undefined} x */
  const num = (x) => (x === undefined ? 'n/a' : String(Math.round(x * 10) / 10));
  const ran = Object.keys(lab.options.scenarios ?? {});
  /** @type {Array<[string, (v: string) => string]>} */
  const rows = [
    ['lookups failed', (v) => pct(value('item_errors', v, 'rate'))],
    ['commands refused by the connection', (v) => num(value('commands_refused', v, 'count'))],
    ['round trips per request (avg)', (v) => num(value('round_trips', v, 'avg'))],
    ['connections per request (avg)', (v) => num(value('connections_used', v, 'avg'))],
  ];
  const table = [
    '### What happened to the lookups',
    '',
    `| | ${ran.join(' | ')} |`,
    `|---|${ran.map(() => '---:').join('|')}|`,
    ...rows.map(([label, f]) => `| ${label} | ${ran.map(f).join(' | ')} |`),
    '',
  ].join('\n');
  const md = `${lab.config.resultsDir}/${lab.id}.summary.md`;
  return { ...out, stdout: `${out.stdout}${table}\n`, [md]: `${out[md]}\n${table}` };
}
