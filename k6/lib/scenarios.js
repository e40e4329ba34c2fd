// The A/B(/C) run: one constant-arrival-rate scenario per variant, one after the
// other, all judged against the same objective. Pure JS (no k6 import).
import { formatDuration } from './knobs.js';
import { tallyThresholds } from './tallies.js';

/** @typedef {import('./knobs.js').LabConfig} LabConfig */
/** @typedef {import('k6/options').Options} Options */
/** @typedef {import('k6/options').Scenario} Scenario */
/** @typedef {import('./tallies.js').Tally} Tally */
/** @typedef {import('./tallies.js').Probe} Probe */

/** Trend stats kept in the summary; `count` gives the number of samples per variant. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/**
 * The variants this run executes, in the script's order: all of them, or the ones named by SCENARIO.
 * @param {readonly string[]} variants
 * @param {LabConfig} config
 * @returns {string[]}
 */
export function selectVariants(variants, config) {
  if (config.scenario.length === 0) return [...variants];
  const unknown = config.scenario.filter((v) => !variants.includes(v));
  if (unknown.length > 0) {
    throw new Error(`Invalid k6 env knob:\n  - SCENARIO="${unknown.join(',')}": expected one of ${variants.join(', ')} (or all)`);
  }
  return variants.filter((v) => config.scenario.includes(v));
}

/**
 * One constant-arrival-rate scenario per selected variant, named after the variant.
 * Each starts after the previous one's DURATION + GAP, so a bad variant's damage
 * (starved pool, queued work) cannot leak into the numbers of the variant before it.
 * @param {string} pitfall
 * @param {readonly string[]} variants  ordered, good first
 * @param {LabConfig} config
 * @param {string | ((variant: string) => string)} [exec]  exported function to run: one shared name
 *   (it reads exec.scenario.name) or a name per variant; default 'run'
 * @returns {Record<string, Scenario>}
 */
export function buildScenarios(pitfall, variants, config, exec = 'run') {
  if (variants.includes('good') && variants[0] !== 'good') {
    throw new Error(`${pitfall}: list 'good' first so it runs before any bad variant can pollute it (got ${variants.join(', ')})`);
  }
  /** @type {Record<string, Scenario>} */
  const scenarios = {};
  selectVariants(variants, config).forEach((variant, i) => {
    scenarios[variant] = {
      executor: 'constant-arrival-rate',
      rate: config.rate,
      timeUnit: '1s',
      duration: config.duration,
      preAllocatedVUs: config.vus,
      maxVUs: config.maxVus,
      startTime: formatDuration(i * (config.durationMs + config.gapMs)),
      // In-flight requests may finish (or time out) after DURATION; they still count for this variant.
      gracefulStop: config.timeout,
      exec: typeof exec === 'function' ? exec(variant) : exec,
      tags: { pitfall, variant },
    };
  });
  return scenarios;
}

/**
 * The objective, identical for every variant, as thresholds on per-scenario submetrics.
 * The submetrics also feed handleSummary (data.metrics['http_req_duration{scenario:good}']).
 * @param {readonly string[]} scenarioNames
 * @param {LabConfig} config
 * @returns {NonNullable<Options['thresholds']>}
 */
export function buildThresholds(scenarioNames, config) {
  /** @type {NonNullable<Options['thresholds']>} */
  const thresholds = {};
  for (const name of scenarioNames) {
    thresholds[`http_req_duration{scenario:${name}}`] = [`p(95)<${config.sloP95Ms}`];
    thresholds[`http_req_failed{scenario:${name}}`] = [`rate<${config.maxFailedRate}`];
    thresholds[`dropped_iterations{scenario:${name}}`] = [`count<=${config.maxDropped}`];
    thresholds[`checks{scenario:${name}}`] = [`rate>${config.minChecksRate}`];
  }
  return thresholds;
}

/**
 * Beside each variant, a probe scenario `probe_<variant>` over the same window (exec 'probe'), and its
 * objective: p95 below probe.sloP95Ms and the lab's failure rate.
 * @param {string} pitfall
 * @param {Record<string, Scenario>} scenarios  the variants' scenarios
 * @param {Probe} probe
 * @param {LabConfig} config
 * @returns {{ scenarios: Record<string, Scenario>, thresholds: Record<string, string[]> }}
 */
export function buildProbes(pitfall, scenarios, probe, config) {
  /** @type {Record<string, Scenario>} */
  const probes = {};
  /** @type {Record<string, string[]>} */
  const thresholds = {};
  for (const [variant, s] of Object.entries(scenarios)) {
    const window = /** @type {import('k6/options').ConstantArrivalRateScenario} */ (s);
    const name = `probe_${variant}`;
    probes[name] = {
      executor: 'constant-arrival-rate',
      rate: probe.rate,
      timeUnit: '1s',
      duration: window.duration,
      startTime: window.startTime,
      preAllocatedVUs: 5,
      maxVUs: 50,
      gracefulStop: config.timeout,
      exec: 'probe',
      tags: { pitfall, variant: name },
    };
    thresholds[`http_req_duration{scenario:${name}}`] = [`p(95)<${probe.sloP95Ms}`];
    thresholds[`http_req_failed{scenario:${name}}`] = [`rate<${config.maxFailedRate}`];
  }
  return { scenarios: probes, thresholds };
}

/**
 * The whole `options` export of a pitfall script: the variants' scenarios and objective, plus the
 * thresholds of its tallies and its probe scenarios, if any.
 * @param {string} pitfall
 * @param {readonly string[]} variants  ordered, good first
 * @param {LabConfig} config
 * @param {{ exec?: string | ((variant: string) => string), tallies?: Record<string, Tally>, probe?: Probe }} [opts]
 * @returns {Options}
 */
export function buildOptions(pitfall, variants, config, opts = {}) {
  const scenarios = buildScenarios(pitfall, variants, config, opts.exec);
  const ran = Object.keys(scenarios);
  const probes = opts.probe === undefined ? { scenarios: {}, thresholds: {} } : buildProbes(pitfall, scenarios, opts.probe, config);
  return {
    scenarios: { ...scenarios, ...probes.scenarios },
    // setup() may wait QUIET_WAIT for the thread pool (lib/quiet.js), beyond k6's default 60 s.
    setupTimeout: formatDuration(config.quietWaitMs + 30000),
    thresholds: { ...buildThresholds(ran, config), ...probes.thresholds, ...tallyThresholds(opts.tallies, ran) },
    summaryTrendStats: [...SUMMARY_TREND_STATS],
  };
}
