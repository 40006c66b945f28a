/**
 * The service's custom CloudWatch metrics, named once: the namespace, the dimension Powertools
 * adds to each metric, and every metric name the functions emit. The CDK construct sets
 * POWERTOOLS_METRICS_NAMESPACE from here and the alarms take their namespace and metric names from
 * here, so that an alarm cannot watch a metric nobody emits (test/infra/stack.test.ts checks it
 * against the `addMetric` calls in each function's bundle).
 */

/** The CloudWatch namespace of every custom metric: the construct's environment and the alarms use it. */
export const METRICS_NAMESPACE = 'StatementMailer';

/**
 * The dimension Powertools Metrics adds to every metric: the emitting function's service name
 * (POWERTOOLS_SERVICE_NAME, which the CDK construct sets to the function's name).
 */
export const SERVICE_DIMENSION = 'service';

/** Every metric the functions emit, by name. */
export const METRIC = {
  // bulk-email-api (and every API function: shared/http)
  Requests: 'Requests',
  RequestsRefused: 'RequestsRefused',
  RequestsFailed: 'RequestsFailed',
  StatementsMarkedToSend: 'StatementsMarkedToSend',
  CustomerCodesRefused: 'CustomerCodesRefused',
  StatementsNotQueued: 'StatementsNotQueued',
  BatchRecordStale: 'BatchRecordStale',
  /** A job reported not queued could not be cancelled: a copy SQS took may still be sent. */
  UnqueuedJobNotCancelled: 'UnqueuedJobNotCancelled',
  IdempotentRequestsResumed: 'IdempotentRequestsResumed',
  /** An Idempotency-Key answer was not recorded; a retry resumes its batch. */
  IdempotencyKeyNotCompleted: 'IdempotencyKeyNotCompleted',
  // ledger-api
  /** Records created, updated or deleted through the ledger API (single and bulk). */
  LedgerRecordsWritten: 'LedgerRecordsWritten',
  /** Ledger writes answered Stale: an older Version than the stored one (replays, out-of-order deliveries). */
  LedgerWritesStale: 'LedgerWritesStale',
  /** Ledger operations answered Invalid (a field broke its rule, or a record it names is missing). */
  LedgerOperationsInvalid: 'LedgerOperationsInvalid',
  // statement-worker
  MalformedJobs: 'MalformedJobs',
  JobsRetried: 'JobsRetried',
  StatementsSent: 'StatementsSent',
  StatementsFailed: 'StatementsFailed',
  SendsDeferred: 'SendsDeferred',
  SendOutcomeUnknown: 'SendOutcomeUnknown',
  NotesWritten: 'NotesWritten',
  DuplicateDeliveriesAbsorbed: 'DuplicateDeliveriesAbsorbed',
  /** A send may have happened twice (docs/exactly-once.md). */
  PossibleDuplicateEmail: 'PossibleDuplicateEmail',
  /** A send did happen twice (docs/exactly-once.md). */
  DuplicateEmailSent: 'DuplicateEmailSent',
  /** SES accepted a statement but its sent marker could not be written. */
  SentMarkerNotWritten: 'SentMarkerNotWritten',
  /** A job failed its last delivery and went to the dead-letter queue. */
  JobsDeadLettered: 'JobsDeadLettered',
  // run-feeder (docs/runs.md)
  /** Job items a run's feeder wrote (each customer of a run once). */
  RunJobsFed: 'RunJobsFed',
  /** A feed step waited: the run had RUN_QUEUED_CAP jobs queued already. */
  RunFeedsDeferred: 'RunFeedsDeferred',
  /** Dead-lettered jobs a run's retry pass queued once more. */
  RunJobsRetried: 'RunJobsRetried',
  /** A feed message was malformed; it reaches the run-feeds dead-letter queue. */
  MalformedRunFeeds: 'MalformedRunFeeds',
  // ses-events
  SesEventsReceived: 'SesEventsReceived',
  SesEventsUnmatched: 'SesEventsUnmatched',
  SesEventsStale: 'SesEventsStale',
  StatementsDelivered: 'StatementsDelivered',
  StatementsBounced: 'StatementsBounced',
  StatementsComplained: 'StatementsComplained',
  StatementsSoftBounced: 'StatementsSoftBounced',
  /** An event of ours arrived before its job could be read: Lambda retries it. */
  SesEventsDeferred: 'SesEventsDeferred',
  SesEventTagsMalformed: 'SesEventTagsMalformed',
  // schedule-trigger
  /** Runs a statement schedule started (a second trigger of the same issue starts none). */
  ScheduledRunsStarted: 'ScheduledRunsStarted',
  /** Schedules the trigger could not start or record; retried by the next trigger. */
  ScheduleTriggerFailures: 'ScheduleTriggerFailures',
} as const;

/** The CDK's metric helper takes only these, so that an alarm can watch only a metric that is emitted. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC];
