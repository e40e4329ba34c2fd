// Pitfall 9, shared-connection: one NpgsqlConnection shared by parallel tasks.
//
// Every request looks up LOOKUPS users (default 10, each its own query against the seeded users and
// orders) in parallel. Same arrival rate, one variant after the other:
//   good     Task.WhenAll, one pooled connection per lookup: every item succeeds. Passes.
//   bad      Task.WhenAll on ONE connection: a connection runs one command at a time, so the lookups
//            started while one runs fail with NpgsqlOperationInProgressException ("A command is already
//            in progress"). Each request still answers 200 with a tally, so bad fails on its checks
//            ('every lookup succeeded') and on `item_errors`, not on status or latency.
//   batched  one NpgsqlBatch on one connection: one round trip, every item succeeds. Passes.
// Why these defaults: the failure needs no load at all (it happens inside every single request), so the
// rate is modest: 20 requests/s of 10 quick lookups (~10 ms a request) keep good well inside its pool of
// 20 connections and every variant far below the p95 objective: the table shows only the pitfall's difference.
// The second table: lookups failed, commands refused, round trips and connections per request (evidence).
// k6 exits 99 because bad misses the objective: that is the expected result.
//
// Run (results in k6/results/shared-connection.summary.{md,json}; in compose: pitfalls/shared-connection.js):
//   k6 run [-e SCENARIO=bad] [-e LOOKUPS=50 -e RATE=5] k6/pitfalls/shared-connection.js
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

const lookups = intKnob('LOOKUPS', DEFAULTS.LOOKUPS, 1, 100);

const lab = definePitfall({
  id: 'shared-connection', routes: ROUTES, defaults: DEFAULTS,
  tallies: {
    // Part of the objective, the same for every variant: (almost) no lookup fails.
    item_errors: { type: 'rate', row: 'lookups failed', threshold: 'rate<0.01' },
    commands_refused: { type: 'count', row: 'commands refused by the connection' },
    round_trips: { type: 'trend', row: 'round trips per request (avg)' },
    connections_used: { type: 'trend', row: 'connections per request (avg)' },
  },
  tallyTable: { title: 'What happened to the lookups' },
});

/** @param {unknown} body @returns {Record<string, number> | undefined} */
const evidenceOf = (body) => /** @type {{ evidence?: Record<string, number> } | undefined} */ (body)?.evidence ?? undefined;

export function run() {
  // Other users every time (every id is seeded): firstUserId in 1..4901, lookups at most 100.
  const firstUserId = 1 + Math.floor(Math.random() * (4902 - lookups));
  const { body } = lab.call(lab.currentVariant(), {
    query: { lookups, firstUserId },
    checks: { 'every lookup succeeded': (res) => evidenceOf(jsonBody(res))?.itemsFailed === 0 },
  });
  const e = evidenceOf(body);
  const { item_errors: itemErrors } = lab.tally;
  if (e === undefined) {
    for (let i = 0; i < lookups; i++) itemErrors.add(true); // no answer: no lookup arrived
    return;
  }
  for (let i = 0; i < e.itemsOk + e.itemsFailed; i++) itemErrors.add(i < e.itemsFailed);
  lab.tally.commands_refused.add(e.commandsRefused);
  lab.tally.round_trips.add(e.roundTrips);
  lab.tally.connections_used.add(e.connectionsUsed);
}

export const { options, handleSummary } = lab;
