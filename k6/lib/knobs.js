// Env knobs (`k6 run -e NAME=value`) with per-script defaults and validation.
// Pure JS: no k6 import, so it can be sanity-checked under node too.

/**
 * Per-script defaults; any of them can be overridden with `-e NAME=value`.
 * @typedef {Object} KnobDefaults
 * @property {string} [BASE_URL]        API root, default http://127.0.0.1:8080
 * @property {number} [RATE]            requests/s per scenario (constant arrival rate)
 * @property {string} [DURATION]        length of each scenario, e.g. '20s'
 * @property {string} [GAP]             pause between two scenarios, e.g. '10s'
 * @property {string} [TIMEOUT]         per-request timeout, e.g. '10s'
 * @property {number} [SLO_P95_MS]      objective: p95 latency below this many ms
 * @property {number} [MAX_FAILED_RATE] objective: http_req_failed rate below this (0..1)
 * @property {number} [MIN_CHECKS_RATE] objective: checks rate above this (0..1)
 * @property {number} [MAX_DROPPED]     objective: at most this many dropped iterations
 * @property {number} [VUS]             preAllocatedVUs per scenario
 * @property {number} [MAX_VUS]         maxVUs per scenario
 * @property {string} [RESULTS_DIR]     where handleSummary writes, relative to the working dir
 * @property {string} [QUIET_WAIT]      setup() waits at most this long for the API's thread pool to be quiet; 0 skips
 */

/**
 * The resolved knobs every helper of lib/ takes.
 * @typedef {Object} LabConfig
 * @property {string} baseUrl        no trailing slash
 * @property {number} rate
 * @property {string} duration
 * @property {number} durationMs
 * @property {string} gap
 * @property {number} gapMs
 * @property {string} timeout
 * @property {number} timeoutMs
 * @property {number} sloP95Ms
 * @property {number} maxFailedRate
 * @property {number} minChecksRate
 * @property {number} maxDropped
 * @property {number} vus
 * @property {number} maxVus
 * @property {string[]} scenario     SCENARIO split on commas; empty = every variant
 * @property {string} resultsDir     no trailing slash
 * @property {string} quietWait
 * @property {number} quietWaitMs
 */

/** @typedef {{ value: number, error?: undefined } | { value?: undefined, error: string }} Parsed */

const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
/** @type {Record<string, number>} */
const UNIT_MS = { ms: 1, s: 1000, m: 60000, h: 3600000 };

/**
 * Milliseconds in a k6 duration string ('500ms', '20s', '1m30s', '0').
 * @param {string} text
 * @returns {number} NaN when the text is not a duration
 */
export function durationMs(text) {
  const s = text.trim();
  if (s === '0') return 0;
  if (!DURATION_RE.test(s)) return NaN;
  let total = 0;
  DURATION_PART_RE.lastIndex = 0;
  for (let m = DURATION_PART_RE.exec(s); m !== null; m = DURATION_PART_RE.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return total;
}

/**
 * A k6 duration string for a number of milliseconds ('30s', '1500ms').
 * @param {number} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

/**
 * The raw env value, or undefined when unset or blank.
 * @param {string} name
 * @returns {string | undefined}
 */
export function envValue(name) {
  const env = typeof __ENV === 'undefined' ? {} : __ENV;
  const raw = /** @type {string | undefined} */ (env[name]);
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/**
 * @param {string} name
 * @param {number | undefined} fallback
 * @param {{ min: number, max: number, integer: boolean }} range
 * @returns {Parsed}
 */
function parseNumber(name, fallback, range) {
  const raw = envValue(name);
  const value = raw === undefined ? fallback : Number(raw);
  const kind = range.integer ? 'a whole number' : 'a number';
  const ok = value !== undefined && Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) && value >= range.min && value <= range.max;
  if (ok) return { value: /** @type {number} */ (value) };
  const shown = raw === undefined ? `default ${fallback}` : `"${raw}"`;
  return { error: `${name}=${shown}: expected ${kind} in [${range.min}, ${range.max}]` };
}

/**
 * @param {string} name
 * @param {string | undefined} fallback
 * @param {number} minMs
 * @returns {Parsed & { text?: string }}
 */
function parseDuration(name, fallback, minMs) {
  const raw = envValue(name);
  const text = raw ?? fallback;
  const ms = text === undefined ? NaN : durationMs(text);
  if (text !== undefined && ms >= minMs) return { value: ms, text };
  const shown = raw === undefined ? `default ${fallback}` : `"${raw}"`;
  const min = minMs > 0 ? `at least ${formatDuration(minMs)}` : '0 or more';
  return { error: `${name}=${shown}: expected a k6 duration (${min}) such as 500ms, 20s or 1m30s` };
}

/**
 * @param {string[]} errors
 * @returns {never}
 */
function fail(errors) {
  throw new Error(`Invalid k6 env knob${errors.length > 1 ? 's' : ''}:\n  - ${errors.join('\n  - ')}`);
}

/**
 * Reads a script-specific whole-number knob (e.g. DELAY_MS); throws a clear error when invalid.
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 * @returns {number}
 */
export function intKnob(name, fallback, min, max) {
  const r = parseNumber(name, fallback, { min, max, integer: true });
  return r.error === undefined ? r.value : fail([r.error]);
}

/**
 * Reads a script-specific number knob; throws a clear error when invalid.
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 * @returns {number}
 */
export function numberKnob(name, fallback, min, max) {
  const r = parseNumber(name, fallback, { min, max, integer: false });
  return r.error === undefined ? r.value : fail([r.error]);
}

/**
 * Resolves every shared knob: env beats the script's defaults, which beat lib's.
 * Throws one error listing every invalid knob.
 * @param {KnobDefaults} [defaults]
 * @returns {LabConfig}
 */
export function readConfig(defaults = {}) {
  /** @type {string[]} */
  const errors = [];
  /** @param {Parsed} r */
  const num = (r) => {
    if (r.error !== undefined) errors.push(r.error);
    return r.value ?? 0;
  };
  const int = (/** @type {string} */ name, /** @type {number | undefined} */ fallback, min = 1, max = 1e6) =>
    num(parseNumber(name, fallback, { min, max, integer: true }));
  const real = (/** @type {string} */ name, /** @type {number | undefined} */ fallback, min = 0, max = 1) =>
    num(parseNumber(name, fallback, { min, max, integer: false }));
  const dur = (/** @type {string} */ name, /** @type {string | undefined} */ fallback, minMs = 1) => {
    const r = parseDuration(name, fallback, minMs);
    if (r.error !== undefined) errors.push(r.error);
    return { text: r.text ?? '0s', ms: r.value ?? 0 };
  };

  const baseUrl = (envValue('BASE_URL') ?? defaults.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/.test(baseUrl)) {
    errors.push(`BASE_URL="${baseUrl}": expected an http(s) URL such as http://127.0.0.1:8080`);
  }
  const rate = int('RATE', defaults.RATE ?? 50);
  const duration = dur('DURATION', defaults.DURATION ?? '20s');
  const gap = dur('GAP', defaults.GAP ?? '10s', 0);
  const timeout = dur('TIMEOUT', defaults.TIMEOUT ?? '10s');
  const sloP95Ms = real('SLO_P95_MS', defaults.SLO_P95_MS ?? 500, 1, 3600000);
  const maxFailedRate = real('MAX_FAILED_RATE', defaults.MAX_FAILED_RATE ?? 0.01);
  const minChecksRate = real('MIN_CHECKS_RATE', defaults.MIN_CHECKS_RATE ?? 0.99);
  const maxDropped = int('MAX_DROPPED', defaults.MAX_DROPPED ?? 0, 0);
  // Enough VUs for one second of latency up front; enough to never drop while requests stay under TIMEOUT.
  const vus = int('VUS', defaults.VUS ?? rate);
  const maxVus = int('MAX_VUS', defaults.MAX_VUS ?? Math.max(vus, Math.ceil(rate * timeout.ms / 1000)));
  if (errors.length === 0 && maxVus < vus) errors.push(`MAX_VUS=${maxVus} is below VUS=${vus}: raise MAX_VUS or lower VUS`);
  const scenario = (envValue('SCENARIO') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== 'all');
  const quietWait = dur('QUIET_WAIT', defaults.QUIET_WAIT ?? '90s', 0);
  const resultsDir = (envValue('RESULTS_DIR') ?? defaults.RESULTS_DIR ?? 'k6/results').replace(/\/+$/, '');
  if (resultsDir === '') errors.push('RESULTS_DIR: expected a directory such as k6/results');

  if (errors.length > 0) fail(errors);
  return {
    baseUrl, rate,
    duration: duration.text, durationMs: duration.ms,
    gap: gap.text, gapMs: gap.ms,
    timeout: timeout.text, timeoutMs: timeout.ms,
    sloP95Ms, maxFailedRate, minChecksRate, maxDropped,
    vus, maxVus, scenario, resultsDir,
    quietWait: quietWait.text, quietWaitMs: quietWait.ms,
  };
}
