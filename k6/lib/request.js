// One request to a variant with the shared timeout and tags, plus the standard checks.
import http from 'k6/http';
import { check, sleep } from 'k6';

/** @typedef {import('./knobs.js').LabConfig} LabConfig */
/** @typedef {import('k6/http').RefinedResponse<'text'>} TextResponse */
/** @typedef {Record<string, string | number | boolean | undefined>} Query */

/**
 * @typedef {Object} CallOptions
 * @property {string} [method]        default GET
 * @property {Query} [query]          appended as ?a=1&b=2 (undefined values are skipped)
 * @property {unknown} [json]         request body, sent as application/json
 * @property {Record<string, string>} [headers]
 * @property {number[]} [expectedStatuses]  statuses that count as success (default: any 2xx)
 * @property {boolean} [observation]  check the body is the variant's JSON observation (default true)
 * @property {Record<string, (res: TextResponse) => boolean>} [checks]  extra checks
 * @property {Record<string, string>} [tags]  extra request tags
 */

/**
 * The path with a query string; the path itself stays one literal in the script.
 * @param {string} path
 * @param {Query} [query]
 * @returns {string}
 */
export function withQuery(path, query = {}) {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? path : `${path}${path.includes('?') ? '&' : '?'}${parts.join('&')}`;
}

/**
 * The parsed JSON body, or undefined when there is none or it is not JSON.
 * @param {TextResponse} res
 * @returns {unknown}
 */
export function jsonBody(res) {
  if (typeof res.body !== 'string' || res.body === '') return undefined;
  try {
    return JSON.parse(res.body);
  } catch (e) {
    return undefined;
  }
}

/**
 * True when the value is an observation from this pitfall and variant.
 * @param {unknown} body
 * @param {string} pitfall
 * @param {string} variant
 * @returns {boolean}
 */
export function isObservation(body, pitfall, variant) {
  if (typeof body !== 'object' || body === null) return false;
  const o = /** @type {Record<string, unknown>} */ (body);
  return o.pitfall === pitfall && o.variant === variant;
}

/** @type {Map<string, ReturnType<typeof http.expectedStatuses>>} */
const callbacks = new Map();

/** @param {number[]} statuses */
function expectedCallback(statuses) {
  const key = statuses.join(',');
  let cb = callbacks.get(key);
  if (cb === undefined) {
    cb = http.expectedStatuses(...statuses);
    callbacks.set(key, cb);
  }
  return cb;
}

/**
 * Calls a variant's route and runs the standard checks: status 2xx (or expectedStatuses)
 * and a JSON observation whose pitfall/variant match. Tags: pitfall, variant, name=route
 * (the route without its query string, so varying ids do not explode the url tag).
 * @param {LabConfig} config
 * @param {{ pitfall: string, variant: string, route: string }} target  route: the script's complete route literal
 * @param {CallOptions} [opts]
 * @returns {{ res: TextResponse, body: unknown, ok: boolean }}
 */
export function callVariant(config, target, opts = {}) {
  const { pitfall, variant, route } = target;
  const tags = { pitfall, variant, name: route, ...opts.tags };
  const statuses = opts.expectedStatuses;
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...opts.headers };
  const hasBody = opts.json !== undefined;
  if (hasBody) headers['Content-Type'] = 'application/json';

  const res = http.request(
    opts.method ?? 'GET',
    `${config.baseUrl}${withQuery(route, opts.query)}`,
    hasBody ? JSON.stringify(opts.json) : null,
    {
      timeout: config.timeout,
      tags,
      headers,
      responseType: 'text',
      ...(statuses === undefined ? {} : { responseCallback: expectedCallback(statuses) }),
    },
  );
  const body = jsonBody(res);

  /** @type {Record<string, (r: TextResponse) => boolean>} */
  const checks = {
    [statuses === undefined ? 'status is 2xx' : `status is ${statuses.join('|')}`]: (r) =>
      statuses === undefined ? r.status >= 200 && r.status < 300 : statuses.includes(r.status),
  };
  if (opts.observation !== false) {
    checks[`body is a ${pitfall}/${variant} observation`] = () => isObservation(body, pitfall, variant);
  }
  const ok = check(res, { ...checks, ...opts.checks }, { pitfall, variant });
  return { res, body, ok };
}

/**
 * GETs a path with the shared timeout and the given tags, no checks, again every intervalS (default 0.05)
 * until `until(res)` holds or maxMs has passed: a client following a status URL. Returns the last answer.
 * @param {LabConfig} config
 * @param {string} path
 * @param {{ tags: Record<string, string>, until: (res: TextResponse) => boolean, maxMs: number, intervalS?: number }} opts
 * @returns {TextResponse}
 */
export function pollRoute(config, path, opts) {
  const deadline = Date.now() + opts.maxMs;
  for (;;) {
    const res = http.get(`${config.baseUrl}${path}`, { timeout: config.timeout, tags: opts.tags, responseType: 'text' });
    if (opts.until(res) || Date.now() > deadline) return res;
    sleep(opts.intervalS ?? 0.05);
  }
}
