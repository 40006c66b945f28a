/**
 * The run feeder's environment (shared/config.ts runConfig) for the CDK function
 * (infra/constructs/run-feeds.ts) and the local stack alike (infra/local/run-feeds.ts): no CDK
 * import here, as the local stack reads it too.
 *
 * The admission cap is two batches for each worker (both stages run 2 workers of batches of 10):
 * enough to keep them busy while the feeder refills the run at half of it, small enough that
 * another tenant's request waits behind at most that many of the run's jobs. The delay is the
 * longest wait before the feeder looks at a run again; it looks sooner when the run's jobs drain
 * faster (docs/runs.md, Admission).
 */
export const RUN_FEEDER_SETTINGS = {
  RUN_QUEUED_CAP: '40',
  RUN_PAGE_SIZE: '500',
  RUN_FEED_DELAY_SECONDS: '15',
} as const;
