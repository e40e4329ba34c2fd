// Re-runs start clean: before any load, wait until the API's thread pool is back near its floor.
// A bad run can leave dozens of idle pool threads; .NET retires each after ~20 s without work. A run that
// started on them would measure the last run's threads, not its own (bad would look barely slower).
import { sleep } from 'k6';
import { labStats } from './stats.js';

/** @typedef {import('./knobs.js').LabConfig} LabConfig */

/** Threads above the pool's floor (minimum worker threads) that still count as quiet: the lab's own timers and IO. */
export const QUIET_MARGIN = 4;

/**
 * The API's thread-pool threads and floor from /lab/stats, or undefined when it does not answer.
 * @param {LabConfig} config
 * @returns {{ threads: number, floor: number } | undefined}
 */
export function poolThreads(config) {
  const stats = labStats(config, { timeout: '5s', tags: { name: 'setup: /lab/stats' } });
  const pool = /** @type {{ threadPool?: { threads?: number, minWorkerThreads?: number } } | undefined} */ (stats)?.threadPool;
  if (typeof pool?.threads !== 'number' || typeof pool.minWorkerThreads !== 'number') return undefined;
  return { threads: pool.threads, floor: pool.minWorkerThreads };
}

/**
 * Waits (printing why, and for how long) until threads <= floor + QUIET_MARGIN, at most config.quietWaitMs.
 * @param {LabConfig} config
 * @returns {number} seconds waited
 */
export function waitForQuietPool(config) {
  const started = Date.now();
  let pool = poolThreads(config);
  if (pool === undefined) {
    console.warn(`setup: ${config.baseUrl}/lab/stats does not answer; starting without checking the thread pool (is the lab up? ./lab status)`);
    return 0;
  }
  if (pool.threads <= pool.floor + QUIET_MARGIN) return 0;
  console.log(`setup: the API's thread pool has ${pool.threads} threads (floor ${pool.floor}), left by an earlier run; ` +
    `idle threads retire after ~20 s, so this run waits (at most ${config.quietWait}) to start from a quiet pool, as a first run does`);
  while (Date.now() - started < config.quietWaitMs) {
    sleep(1);
    pool = poolThreads(config);
    if (pool !== undefined && pool.threads <= pool.floor + QUIET_MARGIN) break;
  }
  const waited = Math.round((Date.now() - started) / 1000);
  const now = pool === undefined ? 'the API stopped answering' : `${pool.threads} threads`;
  console.log(`setup: waited ${waited} s for the thread pool (${now}); QUIET_WAIT=0 skips this wait`);
  return waited;
}
