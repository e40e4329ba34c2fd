// Stub of 'k6': checks are evaluated and recorded in globalThis.k6stub.checks.
export function check(value, checks, tags) {
  const results = Object.fromEntries(Object.entries(checks).map(([name, f]) => [name, Boolean(f(value))]));
  globalThis.k6stub.checks.push({ results, tags });
  return Object.values(results).every(Boolean);
}
export function sleep() {}
export default { check, sleep };
