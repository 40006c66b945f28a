/**
 * Imported first by bench/run.ts: the handlers' Powertools logger and metrics read these when
 * they are first loaded, which is at import time, before the bench stack is started. Benchmarks
 * measure the work, not INFO logging to a terminal.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
