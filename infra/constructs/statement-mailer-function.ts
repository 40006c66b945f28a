import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConfigurationSet, IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  type MetricName,
  SERVICE_DIMENSION,
} from '../../shared/observability/metric-names.ts';
import { afterBundlingCommands, BUNDLE_OPTIONS, FUNCTIONS, type FunctionName } from '../bundling.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface StatementMailerFunctionProps {
  functionName: FunctionName;
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  logRetention: RetentionDays;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  /** For asynchronously invoked functions: where events go after Lambda's retries. */
  deadLetterQueue?: IQueue;
}

/**
 * The project's Lambda function: Node.js 24 on ARM64, bundled locally by esbuild (no Docker) as
 * minified ESM with source maps, its own log group with retention, X-Ray tracing, and a role that
 * holds only what the `bind…` helpers grant. Each helper sets the environment variable and the
 * least-privilege IAM grant together, so one can never be added without the other.
 */
export class StatementMailerFunction extends NodejsFunction {
  /**
   * The Powertools service name (POWERTOOLS_SERVICE_NAME): the function's physical name, so that
   * each stage's metrics carry their own `service` dimension.
   */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: StatementMailerFunctionProps) {
    const physicalName = `${props.prefix}-${props.functionName}`;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/${physicalName}`,
      retention: props.logRetention,
    });
    // A role of its own with no managed policy: only the log group above and the bound resources.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${physicalName}: logs, traces and its bound resources only`,
    });
    super(scope, id, {
      functionName: physicalName,
      entry: path.join(PROJECT_ROOT, FUNCTIONS[props.functionName]),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      // Node.js 24 is supported until April 2028; bundling.ts's LAMBDA_NODE_MAJOR must agree.
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      role,
      ...(props.deadLetterQueue === undefined ? {} : { deadLetterQueue: props.deadLetterQueue }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: physicalName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_OPTIONS.target,
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: BUNDLE_OPTIONS.sourcemap,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: BUNDLE_OPTIONS.sourcesContent,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner,
        externalModules: [...BUNDLE_OPTIONS.external],
        metafile: true,
        esbuildArgs: {
          ...Object.fromEntries(
            Object.entries(BUNDLE_OPTIONS.alias).map(([from, to]) => [`--alias:${from}`, to]),
          ),
          '--legal-comments': BUNDLE_OPTIONS.legalComments,
        },
        forceDockerBundling: false,
        // What the bundle reads beside itself at run time (the statement worker's PDF font).
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) =>
            afterBundlingCommands(props.functionName, inputDir, outputDir),
        },
      },
    });
    logGroup.grantWrite(role);
    this.serviceName = physicalName;
  }

  /**
   * A custom metric this function emits through Powertools, with the namespace and `service`
   * dimension its environment gives Powertools: what an alarm on it must watch.
   */
  powertoolsMetric(metricName: MetricName, options: MetricOptions = {}): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { [SERVICE_DIMENSION]: this.serviceName },
      ...options,
    });
  }

  /** TABLE_NAME and the DynamoDB actions this function uses on the table, nothing more. */
  bindTable(table: ITable, actions: readonly string[]): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    this.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
    return this;
  }

  /** JOB_QUEUE_URL and sqs:SendMessage on that queue (and its key, if it has one). */
  bindJobQueue(queue: IQueue): this {
    this.addEnvironment('JOB_QUEUE_URL', queue.queueUrl);
    queue.grantSendMessages(this);
    return this;
  }

  /** RUN_FEED_QUEUE_URL and sqs:SendMessage on the run-feeds queue (docs/runs.md). */
  bindRunFeedQueue(queue: IQueue): this {
    this.addEnvironment('RUN_FEED_QUEUE_URL', queue.queueUrl);
    queue.grantSendMessages(this);
    return this;
  }

  /**
   * SES_CONFIGURATION_SET and ses:SendRawEmail, limited to the sending identity and the
   * configuration set (SES authorizes a send against both).
   */
  bindEmailIdentity(
    identity: IEmailIdentity,
    configurationSet: IConfigurationSet,
    sendRatePerWorker: number,
  ): this {
    const stack = Stack.of(this);
    this.addEnvironment('SES_CONFIGURATION_SET', configurationSet.configurationSetName);
    this.addEnvironment('SES_SEND_RATE_PER_WORKER', String(sendRatePerWorker));
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity.emailIdentityName }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.configurationSetName,
          }),
        ],
      }),
    );
    return this;
  }
}
