// Globals the k6 runtime provides that @types/k6 leaves to the DOM lib (which k6 does not have).
declare var console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
