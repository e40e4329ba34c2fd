// One call that wires a pitfall script: knobs, options, the current variant, calls, summary.
import exec from 'k6/execution';
import { readConfig } from './knobs.js';
import { buildOptions } from './scenarios.js';
import { callVariant } from './request.js';
import { pitfallSummary } from './summary.js';
import { waitForQuietPool } from './quiet.js';

/** @typedef {import('./knobs.js').KnobDefaults} KnobDefaults */
/** @typedef {import('./knobs.js').LabConfig} LabConfig */
/** @typedef {import('./request.js').CallOptions} CallOptions */
/** @typedef {import('./summary.js').SummaryData} SummaryData */

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
 * @property {(data: SummaryData) => Record<string, string>} handleSummary
 * @property {() => number} setup  export it as `setup` (or call it first in yours): waits for a quiet thread pool
 */

/**
 * Declares a pitfall script. `routes` maps each variant, good first, to its complete
 * route literal; the scenarios run in that order and call the exported function `exec`
 * (default 'run'), which reads its variant from currentVariant().
 * @template {string} V
 * @param {{ id: string, routes: Record<V, string>, defaults?: KnobDefaults, exec?: string }} spec
 * @returns {Lab<V>}
 */
export function definePitfall(spec) {
  const { id, routes } = spec;
  const variants = /** @type {V[]} */ (Object.keys(routes));
  const config = readConfig(spec.defaults);
  /** @param {string} name @returns {name is V} */
  const isVariant = (name) => Object.prototype.hasOwnProperty.call(routes, name);
  return {
    id,
    variants,
    config,
    options: buildOptions(id, variants, config, { exec: spec.exec }),
    currentVariant() {
      const name = exec.scenario.name;
      if (!isVariant(name)) throw new Error(`${id}: scenario '${name}' is not a variant (${variants.join(', ')})`);
      return name;
    },
    call: (variant, opts) => callVariant(config, { pitfall: id, variant, route: routes[variant] }, opts),
    handleSummary: (data) => pitfallSummary(data, { pitfall: id, variants, config }),
    setup: () => waitForQuietPool(config),
  };
}
