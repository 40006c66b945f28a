import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { JOB_MAX_RECEIVE_COUNT, TABLE_DESIGN } from '../shared/aws/table-design.ts';
import { METRIC } from '../shared/observability/metric-names.ts';
import { API_ROUTES, type RouteFunctionName } from './api-routes.ts';
import { AUTHORIZER_CACHE_TTL_SECONDS } from './authorizer-cache.ts';
import { removalPolicyOf, type StageConfig, visibilityTimeoutFor, workerPacing } from './config.ts';
import { StatementMailerFunction } from './constructs/statement-mailer-function.ts';

export interface StatementMailerStackProps extends StackProps {
  config: StageConfig;
}

/** KashFlow's error body for the answers API Gateway gives itself. */
const kashflowError = (code: string, message: string) => ({
  'application/json': JSON.stringify({ Error: code, Message: message }),
});

/** The whole service: API, authorizer, table, job queue, worker, SES, alarms. */
export class StatementMailerStack extends Stack {
  readonly api: RestApi;
  readonly table: TableV2;
  readonly jobQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly sesEventsDeadLetterQueue: Queue;
  readonly sesEventsSubscriptionDeadLetterQueue: Queue;
  readonly functions: Record<
    'api' | 'authorizer' | 'worker' | 'batchStatus' | 'customerNotes' | 'sesEvents',
    StatementMailerFunction
  >;

  constructor(scope: Construct, id: string, props: StatementMailerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = `statement-mailer-${config.stage}`;
    const removalPolicy = removalPolicyOf(config);

    this.table = new TableV2(this, 'Table', {
      tableName: prefix,
      partitionKey: { name: TABLE_DESIGN.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_DESIGN.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_DESIGN.timeToLiveAttribute,
      globalSecondaryIndexes: [
        {
          indexName: TABLE_DESIGN.sesMessageIndex.name,
          partitionKey: { name: TABLE_DESIGN.sesMessageIndex.partitionKey, type: AttributeType.STRING },
          projectionType: ProjectionType.KEYS_ONLY,
        },
      ],
      deletionProtection: config.protectData,
      removalPolicy,
    });

    this.deadLetterQueue = new Queue(this, 'JobDeadLetterQueue', {
      queueName: `${prefix}-jobs-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.jobQueue = new Queue(this, 'JobQueue', {
      queueName: `${prefix}-jobs`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibilityTimeoutFor(config.worker.timeout),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: JOB_MAX_RECEIVE_COUNT },
    });

    const identity = new EmailIdentity(this, 'SendingIdentity', {
      identity:
        'domain' in config.sesIdentity
          ? Identity.domain(config.sesIdentity.domain)
          : Identity.email(config.sesIdentity.emailAddress),
    });
    const configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: prefix,
      reputationMetrics: true,
      sendingEnabled: true,
    });

    const logRetention = config.logRetention;
    const authorizerFunction = new StatementMailerFunction(this, 'AuthorizerFunction', {
      functionName: 'authorizer',
      prefix,
      logRetention,
      timeout: Duration.seconds(10),
      memorySize: 256,
    }).bindTable(this.table, ['dynamodb:GetItem']);
    const apiFunction = new StatementMailerFunction(this, 'BulkEmailApiFunction', {
      functionName: 'bulk-email-api',
      prefix,
      logRetention,
      timeout: Duration.seconds(29),
      memorySize: 512,
    })
      // Batch reads and records; dry runs read templates and ledgers; Idempotency-Key records.
      .bindTable(this.table, [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ])
      .bindJobQueue(this.jobQueue);
    const pacing = workerPacing(config.sesMaxSendRate);
    const workerFunction = new StatementMailerFunction(this, 'StatementWorkerFunction', {
      functionName: 'statement-worker',
      prefix,
      logRetention,
      timeout: config.worker.timeout,
      memorySize: config.worker.memoryMb,
    })
      .bindTable(this.table, [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ])
      .bindEmailIdentity(identity, configurationSet, pacing.sendRatePerWorker);
    workerFunction.addEventSource(
      new SqsEventSource(this.jobQueue, {
        batchSize: config.worker.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: pacing.maxConcurrency,
      }),
    );
    const batchStatusFunction = new StatementMailerFunction(this, 'BatchStatusFunction', {
      functionName: 'batch-status',
      prefix,
      logRetention,
      timeout: Duration.seconds(10),
      memorySize: 256,
    }).bindTable(this.table, ['dynamodb:Query']);
    const customerNotesFunction = new StatementMailerFunction(this, 'CustomerNotesFunction', {
      functionName: 'customer-notes',
      prefix,
      logRetention,
      timeout: Duration.seconds(10),
      memorySize: 256,
    }).bindTable(this.table, ['dynamodb:GetItem', 'dynamodb:Query']);

    // SES delivery events: configuration set → SNS (encrypted with a key SES may use) → Lambda,
    // whose failed invocations (after Lambda's two retries) land in a dead-letter queue; events SNS
    // could not deliver to Lambda at all (after SNS's retries) land in the subscription's own.
    const eventsKey = new Key(this, 'SesEventsKey', {
      description: `${prefix} SES events topic`,
      enableKeyRotation: true,
      removalPolicy,
    });
    eventsKey.grant(new ServicePrincipal('ses.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const sesEventsTopic = new Topic(this, 'SesEventsTopic', {
      topicName: `${prefix}-ses-events`,
      masterKey: eventsKey,
      enforceSSL: true,
    });
    configurationSet.addEventDestination('ToSns', {
      destination: EventDestination.snsTopic(sesEventsTopic),
      events: [EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    this.sesEventsDeadLetterQueue = new Queue(this, 'SesEventsDeadLetterQueue', {
      queueName: `${prefix}-ses-events-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const sesEventsFunction = new StatementMailerFunction(this, 'SesEventsFunction', {
      functionName: 'ses-events',
      prefix,
      logRetention,
      timeout: Duration.seconds(30),
      memorySize: 256,
      deadLetterQueue: this.sesEventsDeadLetterQueue,
    }).bindTable(this.table, [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    // The index is a separate resource: Query on it needs its own ARN.
    sesEventsFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.table.tableArn}/index/${TABLE_DESIGN.sesMessageIndex.name}`],
      }),
    );
    this.sesEventsSubscriptionDeadLetterQueue = new Queue(this, 'SesEventsSubscriptionDeadLetterQueue', {
      queueName: `${prefix}-ses-events-subscription-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // The subscription's redrive policy; CDK lets this topic (and only it) send to the queue.
    sesEventsTopic.addSubscription(
      new LambdaSubscription(sesEventsFunction, {
        deadLetterQueue: this.sesEventsSubscriptionDeadLetterQueue,
      }),
    );

    this.functions = {
      api: apiFunction,
      authorizer: authorizerFunction,
      worker: workerFunction,
      batchStatus: batchStatusFunction,
      customerNotes: customerNotesFunction,
      sesEvents: sesEventsFunction,
    };

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      logGroupName: `/aws/apigateway/${prefix}-access`,
      retention: logRetention,
      removalPolicy,
    });
    const authorizer = new TokenAuthorizer(this, 'TokenAuthorizer', {
      authorizerName: `${prefix}-token`,
      handler: authorizerFunction,
      identitySource: 'method.request.header.Authorization',
      // API Gateway caches a decision per token value, so no decision is served to another token;
      // the TTL bounds how long a revoked or expired token still works (docs/api.md).
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_TTL_SECONDS),
      validationRegex: '^(?i)(kftoken|bearer) +[\\x21-\\x7E]{1,512}$',
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: prefix,
      description: 'KashFlow-compatible bulk customer statement email API',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: true,
      defaultMethodOptions: { authorizer, authorizationType: AuthorizationType.CUSTOM },
      deployOptions: {
        stageName: config.stage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        throttlingRateLimit: config.apiThrottle.rateLimit,
        throttlingBurstLimit: config.apiThrottle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
      },
    });
    const routeFunctions: Record<RouteFunctionName, StatementMailerFunction> = {
      'bulk-email-api': apiFunction,
      'batch-status': batchStatusFunction,
      'customer-notes': customerNotesFunction,
    };
    for (const route of API_ROUTES) {
      this.api.root
        .resourceForPath(route.resource)
        .addMethod(
          route.method,
          new LambdaIntegration(routeFunctions[route.functionName], { allowTestInvoke: false }),
        );
    }

    const gatewayAnswers: [string, ResponseType, string, string, string][] = [
      [
        'Unauthorized',
        ResponseType.UNAUTHORIZED,
        '401',
        'InvalidSessionToken',
        'Session token provided is invalid.',
      ],
      ['AccessDenied', ResponseType.ACCESS_DENIED, '403', 'AccessDenied', 'Access denied.'],
      ['NotFound', ResponseType.MISSING_AUTHENTICATION_TOKEN, '404', 'NotFound', 'No such resource.'],
      ['TooLarge', ResponseType.REQUEST_TOO_LARGE, '413', 'PayloadTooLarge', 'Request body is too large.'],
      [
        'Throttled',
        ResponseType.THROTTLED,
        '429',
        'TooManyRequests',
        'Too many requests; please retry later.',
      ],
      ['WafFiltered', ResponseType.WAF_FILTERED, '403', 'Forbidden', 'The request was refused.'],
      [
        'AuthorizerFailure',
        ResponseType.AUTHORIZER_FAILURE,
        '500',
        'InternalError',
        'Authorization failed; please retry.',
      ],
    ];
    for (const [name, type, statusCode, code, message] of gatewayAnswers) {
      this.api.addGatewayResponse(name, { type, statusCode, templates: kashflowError(code, message) });
    }
    // The fallbacks keep each answer's own status (a status code here would replace every other
    // 4xx or 5xx status, e.g. an integration timeout's 504) and API Gateway's own message.
    for (const [name, type, code] of [
      ['Default4xx', ResponseType.DEFAULT_4XX, 'BadRequest'],
      ['Default5xx', ResponseType.DEFAULT_5XX, 'InternalError'],
    ] as const) {
      this.api.addGatewayResponse(name, {
        type,
        templates: {
          'application/json': `{"Error":"${code}","Message":$context.error.messageString}`,
        },
      });
    }

    const webAcl = new CfnWebACL(this, 'ApiFirewall', {
      name: `${prefix}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: `${prefix}-api`,
        sampledRequestsEnabled: true,
      },
      rules: [
        {
          // 35 codes need under 4 KiB; the handler refuses over 32 KiB, the firewall over 64 KiB.
          name: 'body-size-limit',
          priority: 0,
          action: { block: {} },
          statement: {
            sizeConstraintStatement: {
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: 65_536,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'body-size-limit',
            sampledRequestsEnabled: true,
          },
        },
        {
          name: 'rate-per-ip',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: config.wafRateLimitPer5Minutes, aggregateKeyType: 'IP' },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'rate-per-ip',
            sampledRequestsEnabled: true,
          },
        },
        {
          name: 'aws-known-bad-inputs',
          priority: 2,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'aws-known-bad-inputs',
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'ApiFirewallAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });

    this.addAlarms(prefix, config);

    new CfnOutput(this, 'ApiUrl', { value: `${this.api.url}v2/customerstatements/bulk/email` });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'JobQueueUrl', { value: this.jobQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ConfigurationSetName', { value: configurationSet.configurationSetName });
  }

  private addAlarms(prefix: string, config: StageConfig): void {
    // CloudWatch can publish only to topics whose key lets it; an AWS-managed SNS key does not.
    const key = new Key(this, 'AlarmTopicKey', {
      description: `${prefix} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyOf(config),
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new Topic(this, 'AlarmTopic', {
      topicName: `${prefix}-alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail !== undefined) topic.addSubscription(new EmailSubscription(config.alarmEmail));
    const action = new SnsAction(topic);
    const alarm = (id: string, metric: IMetric, threshold: number, description: string) => {
      new Alarm(this, id, {
        alarmName: `${prefix}-${id}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    };
    const fiveMinutes = Duration.minutes(5);
    alarm(
      'DeadLetters',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      1,
      'Statement jobs reached the dead-letter queue; each job record holds its last error.',
    );
    alarm(
      'SesEventDeadLetters',
      this.sesEventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      1,
      'SES events could not be recorded after retries; delivery states may be behind.',
    );
    alarm(
      'SesEventSubscriptionDeadLetters',
      this.sesEventsSubscriptionDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      1,
      'SNS could not deliver SES events to the ses-events function; delivery states may be behind.',
    );
    alarm(
      'OldestJobAge',
      this.jobQueue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      15 * 60,
      'A statement job has waited over 15 minutes: the worker is failing or far behind the SES rate.',
    );
    for (const [name, fn] of Object.entries(this.functions)) {
      alarm(
        `${name}-errors`,
        fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        1,
        `${fn.node.id} errors.`,
      );
      alarm(
        `${name}-throttles`,
        fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        1,
        `${fn.node.id} throttled.`,
      );
    }
    alarm(
      'Api5xx',
      this.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      1,
      'The API answered 5xx.',
    );
    // The worker's own metrics, with the namespace and service dimension its Powertools uses.
    for (const metricName of [
      METRIC.PossibleDuplicateEmail,
      METRIC.DuplicateEmailSent,
      METRIC.SentMarkerNotWritten,
    ]) {
      alarm(
        metricName,
        this.functions.worker.powertoolsMetric(metricName, { period: fiveMinutes, statistic: 'Sum' }),
        1,
        `${metricName}: a customer may have received a statement twice (docs/exactly-once.md).`,
      );
    }
  }
}
