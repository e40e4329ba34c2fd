// Pitfall 4, shutdown-cleanup: a host stopped (SIGTERM) while its jobs are in flight.
//
// Each iteration is one whole experiment: the API starts a PitfallLab.Worker process (a generic host), hands it
// JOBS jobs (CONCURRENCY at a time, JOB_MS each, each holding a connection and writing its row when done), sends
// it SIGTERM STOP_AFTER_MS later, then counts the run's rows and the worker's backends left in pg_stat_activity:
//   good  tracked Channel + BackgroundService that honours stoppingToken, drains within the ShutdownTimeout and
//         records every unfinished job as pending; data source disposed: 0 lost, 0 connections left. Checks pass.
//   bad   jobs started with Task.Run and forgotten, a loop that ignores stoppingToken, a data source nobody disposes:
//         the host waits out the whole ShutdownTimeout, then exits (code 0) under its running jobs. Jobs lost and
//         queries left running for a dead client in every iteration: its checks fail the objective.
// Latency is not the symptom (an iteration takes ~3 s: STOP_AFTER_MS + the stop + the worker's start-up): the
// failed checks are. The API runs at most 6 workers at once (503 beyond): RATE 1 keeps about 3 in flight.
//
// Run (results in k6/results/shutdown-cleanup.summary.{md,json}; in compose: pitfalls/shutdown-cleanup.js):
//   k6 run [-e SCENARIO=bad] [-e JOB_MS=2000 -e STOP_AFTER_MS=2100] k6/pitfalls/shutdown-cleanup.js
import { definePitfall } from '../lib/pitfall.js';
import { intKnob } from '../lib/knobs.js';
import { jsonBody } from '../lib/request.js';

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

const lab = definePitfall({
  id: 'shutdown-cleanup', routes: ROUTES, defaults: DEFAULTS,
  tallies: { shutdown_jobs_enqueued: 'count', shutdown_jobs_lost: 'count', shutdown_jobs_recorded_pending: 'count', shutdown_connections_left: 'count' },
});
const query = {
  jobs: intKnob('JOBS', DEFAULTS.JOBS, 1, 40),
  concurrency: intKnob('CONCURRENCY', DEFAULTS.CONCURRENCY, 1, 10),
  jobMs: intKnob('JOB_MS', DEFAULTS.JOB_MS, 100, 5000),
  stopAfterMs: intKnob('STOP_AFTER_MS', DEFAULTS.STOP_AFTER_MS, 0, 10000),
  shutdownTimeoutMs: intKnob('SHUTDOWN_TIMEOUT_MS', DEFAULTS.SHUTDOWN_TIMEOUT_MS, 500, 5000),
};

/** @typedef {{ enqueued: number, completed: number, recordedPending: number, lost: number }} Outcome */
/** The experiment's observation: result = the jobs' outcome, evidence = the stop. @param {unknown} body */
function experiment(body) {
  const o = /** @type {{ result?: Outcome, evidence?: { connectionsLeft: number } } | null | undefined} */ (body);
  return { outcome: o?.result ?? undefined, stop: o?.evidence ?? undefined };
}

export function run() {
  const { body } = lab.call(lab.currentVariant(), {
    method: 'POST',
    query,
    expectedStatuses: [200],
    checks: {
      'no job lost (enqueued = completed + recorded pending)': (r) => {
        const { outcome: o } = experiment(jsonBody(r));
        return o !== undefined && o.lost === 0 && o.enqueued === o.completed + o.recordedPending;
      },
      'no connection left after the stop': (r) => experiment(jsonBody(r)).stop?.connectionsLeft === 0,
    },
  });
  const { outcome, stop } = experiment(body);
  if (outcome === undefined || stop === undefined) return;
  lab.tally.shutdown_jobs_enqueued.add(outcome.enqueued);
  lab.tally.shutdown_jobs_lost.add(outcome.lost);
  lab.tally.shutdown_jobs_recorded_pending.add(outcome.recordedPending);
  lab.tally.shutdown_connections_left.add(stop.connectionsLeft);
}

export const { options, handleSummary } = lab;
