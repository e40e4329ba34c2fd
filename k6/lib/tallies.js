// Tallies: a script's own k6 metrics (what happened to the items, the lookups, the jobs...), each kept per
// variant as a submetric (name{scenario:variant}) so that thresholds and the summary can read it per variant.
// Pure JS (no k6 import): pitfall.js creates the metrics, scenarios.js the thresholds, summary.js the table.

/**
 * @typedef {'rate' | 'count' | 'trend' | 'time'} TallyType  k6's Rate, Counter, Trend, Trend of milliseconds
 * @typedef {Object} TallySpec
 * @property {TallyType} [type]    declares the metric; leave it out for one of k6's own (e.g. http_req_failed)
 * @property {string} [threshold]  part of every variant's objective, e.g. 'rate<0.01'
 * @property {string} [row]        its row in the tallies table (none: the metric is kept, not shown)
 * @property {string} [stat]       what the row shows and a threshold judges; default rate, count or avg by type
 * @property {string} [missed]     its name in the table's objective row when its threshold fails (default: the metric's)
 * @typedef {TallyType | TallySpec} Tally  a bare type declares the metric and nothing else
 * @typedef {Object} TallyTable    the second table of the summary: one row per tally with a row
 * @property {string} title
 * @property {string} [note]       a line under the title, e.g. the tallies' objective
 * @property {string} [objective]  label of a last row judging every tally's threshold (and the probe's p95)
 * @typedef {Object} Probe         an unrelated request timed beside each variant, over the same window
 * @property {string} route        a complete route literal of the script
 * @property {number} rate         requests/s
 * @property {number} sloP95Ms     its objective: p95 below this
 */

/** @type {Record<TallyType, string>} */
const DEFAULT_STAT = { rate: 'rate', count: 'count', trend: 'avg', time: 'avg' };

/**
 * The tallies with every field resolved; a bare type becomes { type }.
 * @param {Record<string, Tally>} [tallies]
 * @returns {Array<TallySpec & { name: string, stat: string }>}
 */
export function tallySpecs(tallies = {}) {
  return Object.entries(tallies).map(([name, t]) => {
    const spec = typeof t === 'string' ? { type: t } : t;
    const stat = spec.stat ?? (spec.type === undefined ? undefined : DEFAULT_STAT[spec.type]);
    if (stat === undefined) throw new Error(`tally ${name}: give its type or the stat its row shows`);
    return { ...spec, name, stat };
  });
}

/**
 * Per-variant thresholds: a tally's own, or an always-true one (tallies are never negative) that only makes
 * k6 keep the submetric a row reads. k6's own metrics without a threshold here already have their submetrics.
 * @param {Record<string, Tally> | undefined} tallies
 * @param {readonly string[]} variants  the scenarios that run
 * @returns {Record<string, string[]>}
 */
export function tallyThresholds(tallies, variants) {
  /** @type {Record<string, string[]>} */
  const thresholds = {};
  for (const t of tallySpecs(tallies)) {
    const expr = t.threshold ?? (t.row !== undefined && t.type !== undefined ? `${t.stat}>=0` : undefined);
    if (expr === undefined) continue;
    for (const v of variants) thresholds[`${t.name}{scenario:${v}}`] = [expr];
  }
  return thresholds;
}

const THRESHOLD_RE = /^\s*([a-z]+|p\([\d.]+\))\s*(<=|>=|<|>|===|==|!=)\s*(-?[\d.]+(?:e-?\d+)?)\s*$/;

/**
 * Whether a submetric's values meet a threshold expression such as 'avg<10' or 'p(95)<500', compared
 * as k6 compares them, so that the table agrees with k6's exit code. No values (no samples): met.
 * @param {Record<string, number> | undefined} values
 * @param {string} expr
 * @returns {boolean}
 */
export function meets(values, expr) {
  const m = THRESHOLD_RE.exec(expr);
  if (m === null) throw new Error(`threshold '${expr}': expected stat, comparison, number (e.g. avg<10)`);
  if (values === undefined) return true;
  const [, stat, op, limit] = m;
  const v = values[stat];
  const n = Number(limit);
  if (typeof v !== 'number') return false;
  switch (op) {
    case '<': return v < n;
    case '<=': return v <= n;
    case '>': return v > n;
    case '>=': return v >= n;
    case '!=': return v !== n;
    default: return v === n;
  }
}
