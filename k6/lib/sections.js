// The summary's extra sections: the tallies table (lib/tallies.js) and the markdown of any section,
// one column per variant. Pure JS (no k6 import).
import { selectVariants } from './scenarios.js';
import { meets, tallySpecs } from './tallies.js';

/** @typedef {import('./summary.js').SummaryData} SummaryData */
/** @typedef {import('./summary.js').SummaryRun} SummaryRun */

/**
 * A submetric's values: data.metrics['<metric>{scenario:<scenario>}'], undefined without samples.
 * @param {SummaryData} data
 * @param {string} metric
 * @param {string} scenario
 * @returns {Record<string, number> | undefined}
 */
export function sub(data, metric, scenario) {
  return data.metrics[`${metric}{scenario:${scenario}}`]?.values;
}

/**
 * An extra section: a title, an optional note, one column per variant ('not run' for the ones SCENARIO left out).
 * @param {{ title: string, note?: string, variants: readonly string[], ran: readonly string[],
 *   rows: Array<[string, (variant: string) => string]> }} section
 * @returns {string}
 */
export function renderSection(section) {
  const { title, note, variants, ran, rows } = section;
  return [
    `### ${title}`,
    '',
    ...(note === undefined ? [] : [note, '']),
    `| | ${variants.join(' | ')} |`,
    `|---|${variants.map(() => '---:').join('|')}|`,
    ...rows.map(([label, f]) => `| ${label} | ${variants.map((v) => (ran.includes(v) ? f(v) : 'not run')).join(' | ')} |`),
    '',
  ].join('\n');
}

/**
 * The tallies table: a row per tally with a row, the probe's p50 and p95, and the objective row if asked for.
 * Undefined when there is nothing to show.
 * @param {SummaryData} data
 * @param {SummaryRun} run
 * @returns {string | undefined}
 */
export function tallySection(data, run) {
  const { pitfall, variants, config, probe } = run;
  const tallies = tallySpecs(run.tallies);
  /** @param {string} metric @param {string} v */
  const values = (metric, v) => sub(data, metric, v);
  /** @param {number | undefined} x @param {string} stat */
  const show = (x, stat) => (x === undefined ? 'n/a' : stat === 'rate' ? `${(x * 100).toFixed(1)}%` : stat === 'count' ? String(x) : x.toFixed(1));
  /** @type {Array<[string, (variant: string) => string]>} */
  const rows = tallies.filter((t) => t.row !== undefined)
    .map((t) => [/** @type {string} */ (t.row), (v) => show(values(t.name, v)?.[t.stat], t.stat)]);
  if (probe !== undefined) {
    rows.push([`probe ${probe.route} p50 (ms)`, (v) => show(values('http_req_duration', `probe_${v}`)?.med, 'med')]);
    rows.push([`probe ${probe.route} p95 (ms)`, (v) => show(values('http_req_duration', `probe_${v}`)?.['p(95)'], 'p(95)')]);
  }
  const objective = run.tallyTable?.objective;
  if (objective !== undefined) {
    rows.push([objective, (v) => {
      const missed = tallies.filter((t) => t.threshold !== undefined && !meets(values(t.name, v), /** @type {string} */ (t.threshold)))
        .map((t) => t.missed ?? t.name);
      if (probe !== undefined && !meets(values('http_req_duration', `probe_${v}`), `p(95)<${probe.sloP95Ms}`)) missed.push('probe p95');
      return missed.length === 0 ? 'PASS' : `FAIL (${missed.join(', ')})`;
    }]);
  }
  if (rows.length === 0) return undefined;
  const title = run.tallyTable?.title ?? `${pitfall}: tallies`;
  return renderSection({ title, note: run.tallyTable?.note, variants, ran: selectVariants(variants, config), rows });
}
