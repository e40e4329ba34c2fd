// One call that wires a pitfall script: knobs, options, the current variant, calls, tallies, probe, summary.
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { readConfig } from './knobs.js';
import { buildOptions } from './scenarios.js';
import { callVariant } from './request.js';
import { pitfallSummary } from './summary.js';
import { waitForQuietPool } from './quiet.js';
import { tallySpecs } from './tallies.js';
import { pitfallStats } from './stats.js';

/** @typedef {import('./knobs.js').KnobDefaults} KnobDefaults */
/** @typedef {import('./knobs.js').LabConfig} LabConfig */
/** @typedef {import('./request.js').CallOptions} CallOptions */
/** @typedef {import('./summary.js').SummaryData} SummaryData */
/** @typedef {import('./summary.js').SummaryRun} SummaryRun */
/** @typedef {import('./tallies.js').Tally} Tally */
/** @typedef {import('k6/metrics').Metric} Metric */

/**
 * @template {string} V
 * @typedef {Object} Lab
 * @property {string} id
 * @property {V[]} variants                      in run order (the routes' key order)
 * @property {LabConfig} config
 * @property {import('k6/options').Options} options  export it as `options`
 * @property {() => V} currentVariant            the variant of the running scenario
 * @property {(variant: V, opts?: CallOptions) => ReturnType<typeof callVariant>} call
 *   requests routes[variant] with the shared timeout, tags and checks
 * @property {Record<string, Metric>} tally      the declared tallies' k6 metrics, by name: lab.tally.items_failed.add(3)
 * @property {() => void} probe                  export it as `probe` when the spec has one: one probe request
 * @property {(data: SummaryData) => Record<string, string>} handleSummary  export it as `handleSummary`
 * @property {() => unknown} setup  export it as `setup` (or call it first in yours): waits for a quiet thread pool;
 *   with statsAround it returns the pitfall's /lab/stats before the run (k6 hands it to teardown)
 * @property {(before: unknown) => void} teardown  export it as `teardown` with statsAround: prints /lab/stats before and after
 */

/**
 * @template {string} V
 * @typedef {Object} PitfallSpec
 * @property {string} id
 * @property {Record<V, string>} routes  variant -> complete route literal, good first
 * @property {KnobDefaults} [defaults]
 * @property {string} [exec]             the exported function the variants run (default 'run')
 * @property {Record<string, Tally>} [tallies]  the script's own metrics, kept per variant (lib/tallies.js)
 * @property {SummaryRun['tallyTable']} [tallyTable]  title, note and objective row of the tallies table
 * @property {SummaryRun['probe']} [probe]  an unrelated request timed beside each variant (scenarios probe_<variant>)
 * @property {SummaryRun['extraSummary']} [extraSummary]  free text after the tables
 * @property {true | ((config: LabConfig) => string[])} [statsAround]  print the pitfall's /lab/stats before and after the run; a
 *   function runs at the end of the run, before the after read, and its lines are printed last
 */

/** @param {string} name @param {import('./tallies.js').TallyType} type @returns {Metric} */
function declare(name, type) {
  if (type === 'rate') return new Rate(name);
  if (type === 'count') return new Counter(name);
  return new Trend(name, type === 'time');
}

/**
 * Declares a pitfall script. `routes` maps each variant, good first, to its complete
 * route literal; the scenarios run in that order and call the exported function `exec`
 * (default 'run'), which reads its variant from currentVariant(). Tallies, a probe and extra
 * text add their metrics, scenarios, thresholds and summary sections (README: What lib/ offers).
 * @template {string} V
 * @param {PitfallSpec<V>} spec
 * @returns {Lab<V>}
 */
export function definePitfall(spec) {
  const { id, routes } = spec;
  const variants = /** @type {V[]} */ (Object.keys(routes));
  const config = readConfig(spec.defaults);
  /** @type {Record<string, Metric>} */
  const tally = {};
  for (const t of tallySpecs(spec.tallies)) if (t.type !== undefined) tally[t.name] = declare(t.name, t.type);
  const { tallies, tallyTable, probe, extraSummary } = spec;
  /** @param {string} name @returns {name is V} */
  const isVariant = (name) => Object.prototype.hasOwnProperty.call(routes, name);
  return {
    id,
    variants,
    config,
    options: buildOptions(id, variants, config, { exec: spec.exec, tallies, probe }),
    currentVariant() {
      const name = exec.scenario.name;
      if (!isVariant(name)) throw new Error(`${id}: scenario '${name}' is not a variant (${variants.join(', ')})`);
      return name;
    },
    call: (variant, opts) => callVariant(config, { pitfall: id, variant, route: routes[variant] }, opts),
    tally,
    probe() {
      if (probe === undefined) throw new Error(`${id}: the spec has no probe`);
      callVariant(config, { pitfall: id, variant: exec.scenario.name, route: probe.route }, { observation: false });
    },
    handleSummary: (data) => pitfallSummary(data, { pitfall: id, variants, config, tallies, tallyTable, probe, extraSummary }),
    setup() {
      const waited = waitForQuietPool(config);
      return spec.statsAround === undefined ? waited : pitfallStats(config, id);
    },
    teardown(before) {
      const lines = typeof spec.statsAround === 'function' ? spec.statsAround(config) : [];
      console.log(`${id} stats before the run: ${JSON.stringify(before)}`);
      console.log(`${id} stats after it: ${JSON.stringify(pitfallStats(config, id))}`);
      for (const line of lines) console.log(line);
    },
  };
}
