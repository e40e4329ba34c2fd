// Stub of 'k6/metrics': declarations and samples recorded in globalThis.k6stub.
class Metric {
  constructor(name, isTime = false) { this.name = name; globalThis.k6stub.metrics.push({ type: this.constructor.name, name, isTime }); }
  add(value, tags) { globalThis.k6stub.samples.push({ name: this.name, value, tags, scenario: globalThis.k6stub.exec.scenario.name }); }
}
export class Counter extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
export class Gauge extends Metric {}
