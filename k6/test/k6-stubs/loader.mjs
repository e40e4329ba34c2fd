// Node resolve hook: k6's modules become the stubs beside this file, so that scripts load under node.
const STUBS = { k6: 'k6.mjs', 'k6/http': 'http.mjs', 'k6/execution': 'execution.mjs', 'k6/metrics': 'metrics.mjs' };
export async function resolve(specifier, context, next) {
  const stub = STUBS[specifier];
  return stub === undefined ? next(specifier, context) : { url: new URL(stub, import.meta.url).href, shortCircuit: true };
}
