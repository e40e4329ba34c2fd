// Stub of 'k6/execution': the test sets the running scenario.
const exec = { scenario: { name: 'good', iterationInTest: 0 }, vu: { idInTest: 1 } };
globalThis.k6stub = { ...globalThis.k6stub, exec };
export default exec;
