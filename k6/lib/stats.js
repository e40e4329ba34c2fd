// The one reader of GET /lab/stats in k6: the parsed body, whatever its shape (it is the API's to change).
import http from 'k6/http';
import { jsonBody } from './request.js';

/** @typedef {import('./knobs.js').LabConfig} LabConfig */

/**
 * /lab/stats as JSON, or undefined when the API does not answer 200 with JSON.
 * @param {LabConfig} config
 * @param {{ timeout?: string, tags?: Record<string, string> }} [opts]  default: the shared timeout, no tags
 * @returns {Record<string, unknown> | undefined}
 */
export function labStats(config, opts = {}) {
  const tags = opts.tags === undefined ? {} : { tags: opts.tags };
  const res = http.get(`${config.baseUrl}/lab/stats`, { timeout: opts.timeout ?? config.timeout, ...tags, responseType: 'text' });
  const body = res.status === 200 ? jsonBody(res) : undefined;
  return typeof body === 'object' && body !== null ? /** @type {Record<string, unknown>} */ (body) : undefined;
}

/**
 * A pitfall's part of /lab/stats (pitfalls.<id>), as it comes; {} when absent.
 * @param {LabConfig} config
 * @param {string} pitfall
 * @returns {unknown}
 */
export function pitfallStats(config, pitfall) {
  const pitfalls = /** @type {Record<string, unknown> | undefined} */ (labStats(config)?.pitfalls);
  return pitfalls?.[pitfall] ?? {};
}
