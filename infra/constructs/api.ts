import { Duration } from 'aws-cdk-lib';
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
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { API_ROUTES, type RouteFunctionName } from '../api-routes.ts';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../authorizer-cache.ts';
import type { FunctionName } from '../bundling.ts';
import { removalPolicyOf, type StageConfig } from '../config.ts';
import { GATEWAY_ERRORS } from '../gateway-errors.ts';
import { StatementMailerFunction } from './statement-mailer-function.ts';

export interface StatementMailerApiProps {
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  config: StageConfig;
  table: ITable;
  /** Where the bulk email function queues its statement jobs. */
  jobQueue: IQueue;
  /** Where the runs API sends a new run's first "feed run R" message (docs/runs.md). */
  runFeedQueue: IQueue;
}

/**
 * The REST API: its routes (api-routes.ts) and the functions behind them, the TOKEN authorizer,
 * access logs, stage throttling, and API Gateway's own answers in KashFlow's error shape
 * (gateway-errors.ts). Its resources are created in the stack's scope (docs/deploy.md, Logical ids).
 */
export class StatementMailerApi {
  readonly restApi: RestApi;
  readonly functions: Record<
    | 'api'
    | 'authorizer'
    | 'batchStatus'
    | 'customerNotes'
    | 'ledgerApi'
    | 'schedulesApi'
    | 'runsApi'
    | 'openApi',
    StatementMailerFunction
  >;

  constructor(scope: Construct, props: StatementMailerApiProps) {
    const { prefix, config, table } = props;
    const lambda = (id: string, functionName: FunctionName, timeoutSeconds: number, memorySize: number) =>
      new StatementMailerFunction(scope, id, {
        functionName,
        prefix,
        logRetention: config.logRetention,
        timeout: Duration.seconds(timeoutSeconds),
        memorySize,
      });
    const authorizerFunction = lambda('AuthorizerFunction', 'authorizer', 10, 256).bindTable(table, [
      'dynamodb:GetItem',
    ]);
    const apiFunction = lambda('BulkEmailApiFunction', 'bulk-email-api', 29, 512)
      // Batch reads and records; dry runs read templates and ledgers; Idempotency-Key records.
      .bindTable(table, [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ])
      .bindJobQueue(props.jobQueue);
    const batchStatusFunction = lambda('BatchStatusFunction', 'batch-status', 10, 256).bindTable(table, [
      'dynamodb:Query',
    ]);
    const customerNotesFunction = lambda('CustomerNotesFunction', 'customer-notes', 10, 256).bindTable(
      table,
      ['dynamodb:GetItem', 'dynamodb:Query'],
    );
    // A bulk call of 1,000 records must finish well inside API Gateway's 29 s integration
    // timeout: 1024 MB for the CPU, and a timeout that ends the function before the gateway
    // gives up on it. Reads are consistent BatchGetItem and Query; each record's items are written
    // by a conditional PutItem or DeleteItem, or together by TransactWriteItems, which IAM
    // authorizes per item as PutItem and DeleteItem (it has no action of its own, and this code
    // sends no ConditionCheck or Update items). No Scan, BatchWriteItem, GetItem or UpdateItem.
    const ledgerApiFunction = lambda('LedgerApiFunction', 'ledger-api', 28, 1024).bindTable(table, [
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
    ]);
    // Statement schedules: the tenant and customer read consistently (GetItem), the customer list
    // page (Query), the last runs' states (BatchGetItem), a schedule and the schedule directory
    // entry written (PutItem) or one deleted.
    const schedulesApiFunction = lambda('SchedulesApiFunction', 'statement-schedules-api', 10, 256).bindTable(
      table,
      [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
      ],
    );
    // Statement runs: the tenant (BatchGetItem), a run and its page of jobs (GetItem, Query), a new
    // run and a List run's chunks (PutItem, BatchWriteItem), a cancel (UpdateItem), and the
    // Idempotency-Key records (PutItem, UpdateItem, DeleteItem); the first feed message.
    const runsApiFunction = lambda('RunsApiFunction', 'statement-runs-api', 29, 512)
      .bindTable(table, [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ])
      .bindRunFeedQueue(props.runFeedQueue);
    // GET /v2/openapi.json: the document built into its bundle; no table, no queue.
    const openApiFunction = lambda('OpenApiFunction', 'openapi', 5, 256);
    this.functions = {
      api: apiFunction,
      runsApi: runsApiFunction,
      authorizer: authorizerFunction,
      batchStatus: batchStatusFunction,
      customerNotes: customerNotesFunction,
      ledgerApi: ledgerApiFunction,
      schedulesApi: schedulesApiFunction,
      openApi: openApiFunction,
    };

    const accessLogs = new LogGroup(scope, 'ApiAccessLogs', {
      logGroupName: `/aws/apigateway/${prefix}-access`,
      retention: config.logRetention,
      removalPolicy: removalPolicyOf(config),
    });
    const authorizer = new TokenAuthorizer(scope, 'TokenAuthorizer', {
      authorizerName: `${prefix}-token`,
      handler: authorizerFunction,
      identitySource: 'method.request.header.Authorization',
      // API Gateway caches a decision per token value, so no decision is served to another token;
      // the TTL bounds how long a revoked or expired token still works (docs/api.md).
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_TTL_SECONDS),
      validationRegex: '^(?i)(kftoken|bearer) +[\\x21-\\x7E]{1,512}$',
    });
    this.restApi = new RestApi(scope, 'Api', {
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
        throttlingRateLimit: config.apiLimits.rateLimit,
        throttlingBurstLimit: config.apiLimits.burstLimit,
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
      'ledger-api': ledgerApiFunction,
      'statement-schedules-api': schedulesApiFunction,
      'statement-runs-api': runsApiFunction,
      openapi: openApiFunction,
    };
    for (const route of API_ROUTES) {
      this.restApi.root.resourceForPath(route.resource).addMethod(
        route.method,
        new LambdaIntegration(routeFunctions[route.functionName], { allowTestInvoke: false }),
        // The API's own description is public (docs/api.md "OpenAPI"); every other route has the authorizer.
        'public' in route ? { authorizationType: AuthorizationType.NONE } : {},
      );
    }

    for (const error of Object.values(GATEWAY_ERRORS)) {
      // The fallbacks set no status: one here would replace every other 4xx or 5xx status (an
      // integration timeout's 504…); they keep API Gateway's own message.
      const message = 'message' in error ? JSON.stringify(error.message) : '$context.error.messageString';
      this.restApi.addGatewayResponse(error.id, {
        type: ResponseType.of(error.responseType),
        ...('statusCode' in error ? { statusCode: String(error.statusCode) } : {}),
        templates: { 'application/json': `{"Error":${JSON.stringify(error.code)},"Message":${message}}` },
      });
    }
  }
}
