// Stub of 'k6/http': every request is recorded and answered by globalThis.k6stub.respond(method, url).
function request(method, url, body, params) {
  globalThis.k6stub.requests.push({ method, url, params });
  const r = globalThis.k6stub.respond(method, url);
  return { status: r.status, body: JSON.stringify(r.body), headers: r.headers ?? {} };
}
export default {
  request,
  get: (url, params) => request('GET', url, null, params),
  post: (url, body, params) => request('POST', url, body, params),
  expectedStatuses: (...statuses) => ({ statuses }),
};
