// Pitfall 4, shutdown-cleanup: a host stopped (SIGTERM) while its jobs are in flight.
//
// Each iteration is one whole experiment: the API starts a PitfallLab.Worker process (a generic host), hands it
// JOBS jobs (CONCURRENCY at a time, JOB_MS each, every job holding a connection and writing its row when done),
// sends it SIGTERM STOP_AFTER_MS later, then counts the run's rows in PostgreSQL and the worker's backends left in
// pg_stat_activity:
//   good  tracked Channel + BackgroundService that honours stoppingToken, drains within the ShutdownTimeout and
//         records every unfinished job as pending; data source disposed. enqueued = completed + pending, 0 lost,
//         0 connections left. Its checks pass.
//   bad   jobs started with Task.Run and forgotten, a loop that ignores stoppingToken, a data source nobody disposes:
//         the host waits out the whole ShutdownTimeout, then exits (code 0) under its running jobs. Jobs lost and
//         queries left running for a dead client in every iteration: its checks fail the objective.
// Latency is not the symptom (one iteration takes about STOP_AFTER_MS + the stop + the worker's start-up, ~3 s):
// the failed checks are. The API runs at most 6 workers at once (503 beyond): RATE 1 keeps about 3 in flight.
//
// Run from the repo root (results go to k6/results/shutdown-cleanup.summary.{md,json}):
//   k6 run k6/pitfalls/shutdown-cleanup.js
//   k6 run -e SCENARIO=bad k6/pitfalls/shutdown-cleanup.js
//   k6 run -e JOB_MS=2000 -e STOP_AFTER_MS=2100 k6/pitfalls/shutdown-cleanup.js
// With docker compose (k6/ is the working dir there):
//   docker compose run --rm k6 run pitfalls/shutdown-cleanup.js
import { Counter } from 'k6/metrics';
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';

// Tune here after measuring; every one can be overridden with -e NAME=value.
const DEFAULTS = {
  RATE: 1, // experiments/s per variant: each lasts ~3 s, so ~3 workers run at once (the API allows 6)
  DURATION: '10s', // per variant
  GAP: '5s', // the lab ends bad's left-over backends itself at the end of each run: nothing to recover from
  TIMEOUT: '30s', // per request: start-up + STOP_AFTER_MS + the stop + the lab's kill bound fit well inside
  SLO_P95_MS: 10000, // not the lesson: a generous bound on the whole experiment
  JOBS: 12, // query jobs
  CONCURRENCY: 4, // query concurrency: waves of 4
  JOB_MS: 1000, // query jobMs
  STOP_AFTER_MS: 1500, // query stopAfterMs: SIGTERM during the second wave, the third still waiting
  SHUTDOWN_TIMEOUT_MS: 1000, // query shutdownTimeoutMs: the worker's HostOptions.ShutdownTimeout
};

const ROUTES = {
  good: '/pitfalls/shutdown-cleanup/good',
  bad: '/pitfalls/shutdown-cleanup/bad',
};

const lab = definePitfall({ id: 'shutdown-cleanup', routes: ROUTES, defaults: DEFAULTS });
const query = {
  jobs: intKnob('JOBS', DEFAULTS.JOBS, 1, 40),
  concurrency: intKnob('CONCURRENCY', DEFAULTS.CONCURRENCY, 1, 10),
  jobMs: intKnob('JOB_MS', DEFAULTS.JOB_MS, 100, 5000),
  stopAfterMs: intKnob('STOP_AFTER_MS', DEFAULTS.STOP_AFTER_MS, 0, 10000),
  shutdownTimeoutMs: intKnob('SHUTDOWN_TIMEOUT_MS', DEFAULTS.SHUTDOWN_TIMEOUT_MS, 500, 5000),
};

const jobsEnqueued = new Counter('shutdown_jobs_enqueued');
const jobsLost = new Counter('shutdown_jobs_lost');
const jobsPending = new Counter('shutdown_jobs_recorded_pending');
const connectionsLeft = new Counter('shutdown_connections_left');

export const options = lab.options;

/**
 * @typedef {{ enqueued: number, completed: number, recordedPending: number, lost: number }} Outcome
 * @typedef {{ stopMs: number, connectionsLeft: number, queriesStillRunning: number }} Stop
 */

export function run() {
  const variant = lab.currentVariant();
  /** @type {Outcome | undefined} */
  let outcome;
  /** @type {Stop | undefined} */
  let stop;
  const read = (/** @type {import('k6/http').RefinedResponse<'text'>} */ r) => {
    if (outcome !== undefined) return;
    try {
      const body = /** @type {{ result?: Outcome, evidence?: Stop }} */ (JSON.parse(r.body ?? ''));
      outcome = body.result;
      stop = body.evidence;
    } catch (e) {
      outcome = undefined;
    }
  };
  lab.call(variant, {
    method: 'POST',
    query,
    expectedStatuses: [200],
    checks: {
      'no job lost (enqueued = completed + recorded pending)': (r) => {
        read(r);
        return outcome !== undefined && outcome.lost === 0 && outcome.enqueued === outcome.completed + outcome.recordedPending;
      },
      'no connection left after the stop': (r) => {
        read(r);
        return stop !== undefined && stop.connectionsLeft === 0;
      },
    },
  });
  if (outcome === undefined || stop === undefined) return;
  jobsEnqueued.add(outcome.enqueued, { variant });
  jobsLost.add(outcome.lost, { variant });
  jobsPending.add(outcome.recordedPending, { variant });
  connectionsLeft.add(stop.connectionsLeft, { variant });
}

/** @param {import('../lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return lab.handleSummary(data);
}
