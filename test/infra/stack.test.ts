import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { CfnSubscription } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_MAX_RECEIVE_COUNT } from '#shared/aws/table-design.ts';
import { API_ROUTES } from '../../infra/api-routes.ts';
import { buildApp } from '../../infra/app.ts';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../../infra/authorizer-cache.ts';
import { buildAllBundles, PROJECT_ROOT } from '../../infra/bundles.ts';
import { BUNDLE_OPTIONS, LAMBDA_NODE_MAJOR } from '../../infra/bundling.ts';
import { STAGES, workerPacing } from '../../infra/config.ts';
import { GATEWAY_ERRORS } from '../../infra/gateway-errors.ts';
import { LAMBDA_NODE_VERSION } from '../../infra/lambda-node.ts';
import { METRIC, METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../shared/observability/metric-names.ts';
import DEPLOYED_LOGICAL_IDS from './deployed-logical-ids.json' with { type: 'json' };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function synth(stage: string) {
  const { app, stack } = buildApp(new App({ context: { stage } }));
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Resources };
}

const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, value]) => value.Type === type);

/** The logical id an `{ "Fn::GetAtt": [id, "Arn"] }` anywhere inside a value points at. */
function getAttTargets(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(getAttTargets);
  if (value === null || typeof value !== 'object') return [];
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return [String(getAtt[0])];
  return Object.values(value).flatMap(getAttTargets);
}

/**
 * The metric names each function's bundle can emit: the `addMetric` calls, as string literals or
 * METRIC.<name>, in every project source file esbuild put into that bundle.
 */
async function metricsEmittedByBundle(outDir: string): Promise<Map<string, Set<string>>> {
  const emitted = new Map<string, Set<string>>();
  for (const bundle of await buildAllBundles(outDir)) {
    const names = new Set<string>();
    const output = Object.values(bundle.metafile.outputs).find((entry) => entry.entryPoint);
    const sources = Object.keys(output?.inputs ?? {}).filter(
      (file) => /^(shared|functions)\//.test(file) && file.endsWith('.ts'),
    );
    for (const file of sources) {
      const text = await readFile(path.join(PROJECT_ROOT, file), 'utf8');
      for (const [, argument = ''] of text.matchAll(/\.addMetric\(\s*([^,]+?)\s*,/g)) {
        const found = [
          ...[...argument.matchAll(/'(\w+)'/g)].map((match) => match[1] ?? ''),
          ...[...argument.matchAll(/\bMETRIC\.(\w+)/g)].map(
            (match) => METRIC[(match[1] ?? '') as keyof typeof METRIC] ?? `unknown METRIC.${match[1]}`,
          ),
        ];
        // A name this scan cannot read would let an alarm watch nothing unnoticed: refuse it.
        if (found.length === 0)
          throw new Error(`${file}: addMetric(${argument}, …) must name its metric literally or by METRIC`);
        for (const name of found) names.add(name);
      }
    }
    emitted.set(bundle.name, names);
  }
  return emitted;
}

describe('StatementMailerStack (dev)', () => {
  let dev: ReturnType<typeof synth>;

  beforeAll(() => {
    dev = synth('dev');
  });

  it("has twelve ARM64 functions on Node.js 24, the bundles' target and check, with tracing and their own log groups", () => {
    expect(LAMBDA_NODE_MAJOR).toBe(24);
    expect(Runtime.NODEJS_24_X.name).toBe(`nodejs${LAMBDA_NODE_MAJOR}.x`);
    expect(BUNDLE_OPTIONS.target).toBe(`node${LAMBDA_NODE_MAJOR}`);
    expect(LAMBDA_NODE_VERSION.split('.')[0]).toBe(String(LAMBDA_NODE_MAJOR));
    const functions = ofType(dev.resources, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(12);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: `nodejs${LAMBDA_NODE_MAJOR}.x`,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
    }
    const names = functions.map(([, fn]) => fn.Properties.FunctionName).sort();
    expect(names).toEqual(
      [
        'authorizer',
        'batch-status',
        'bulk-email-api',
        'customer-notes',
        'ledger-api',
        'openapi',
        'run-feeder',
        'schedule-trigger',
        'ses-events',
        'statement-runs-api',
        'statement-schedules-api',
        'statement-worker',
      ].map((name) => `statement-mailer-dev-${name}`),
    );
  });

  it("gives the ledger API 1024 MB and a timeout inside API Gateway's 29 s, with only the table", () => {
    const [id, ledger] =
      ofType(dev.resources, 'AWS::Lambda::Function').find(
        ([, fn]) => fn.Properties.FunctionName === 'statement-mailer-dev-ledger-api',
      ) ?? [];
    if (ledger === undefined) throw new Error('No ledger-api function');
    expect(id).toMatch(/^LedgerApiFunction/);
    expect(ledger.Properties).toMatchObject({ MemorySize: 1024, Timeout: 28 });
    expect(Number(ledger.Properties.Timeout)).toBeLessThan(29);
    const { Variables } = ledger.Properties.Environment as { Variables: Record<string, unknown> };
    expect(Object.keys(Variables).sort()).toEqual([
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'TABLE_NAME',
    ]);
    expect(ledger.Properties.DeadLetterConfig).toBeUndefined();
    // Its DynamoDB actions are on the table itself, not on any index or other table.
    const [, policy] =
      ofType(dev.resources, 'AWS::IAM::Policy').find(([policyId]) =>
        policyId.startsWith('LedgerApiFunctionRole'),
      ) ?? [];
    if (policy === undefined) throw new Error('No policy for the ledger-api role');
    const document = policy.Properties.PolicyDocument as {
      Statement: { Action: unknown; Resource: unknown }[];
    };
    const dynamodb = document.Statement.filter((statement) =>
      String([statement.Action].flat()[0]).startsWith('dynamodb:'),
    );
    expect(dynamodb).toHaveLength(1);
    expect(getAttTargets(dynamodb[0]?.Resource)).toEqual([expect.stringMatching(/^Table/)]);
    expect([dynamodb[0]?.Resource].flat()).toHaveLength(1);
  });

  it('keeps every function log group for the stage retention', () => {
    const logGroups = ofType(dev.resources, 'AWS::Logs::LogGroup').map(([, group]) => group.Properties);
    for (const name of [
      'authorizer',
      'bulk-email-api',
      'statement-worker',
      'batch-status',
      'customer-notes',
      'ledger-api',
      'ses-events',
    ]) {
      expect(logGroups).toContainEqual(
        expect.objectContaining({
          LogGroupName: `/aws/lambda/statement-mailer-dev-${name}`,
          RetentionInDays: 14,
        }),
      );
    }
  });

  it('grants each function only the actions it uses, on named resources; no wildcard actions', () => {
    const policies = ofType(dev.resources, 'AWS::IAM::Policy');
    const actionsOf = (roleFragment: string) => {
      const policy = policies.find(([id]) => id.startsWith(roleFragment));
      if (policy === undefined) throw new Error(`No policy for ${roleFragment}`);
      const document = policy[1].Properties.PolicyDocument as {
        Statement: { Action: string | string[]; Resource: unknown }[];
      };
      const statements = document.Statement;
      for (const statement of statements) {
        const actions = [statement.Action].flat();
        for (const action of actions) expect(action).not.toMatch(/\*/);
        if (statement.Resource === '*')
          expect(actions.every((action) => action.startsWith('xray:'))).toBe(true);
      }
      return statements
        .flatMap((statement) => [statement.Action].flat())
        .filter((action) => !action.startsWith('xray:'))
        .sort();
    };
    expect(actionsOf('AuthorizerFunctionRole')).toEqual([
      'dynamodb:GetItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(actionsOf('BulkEmailApiFunctionRole')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(actionsOf('StatementWorkerFunctionRole')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'ses:SendRawEmail',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
    expect(actionsOf('BatchStatusFunctionRole')).toEqual([
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(actionsOf('CustomerNotesFunctionRole')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    // Consistent BatchGetItem and Query reads; conditional PutItem and DeleteItem, and
    // TransactWriteItems of Put and Delete items, which IAM authorizes as PutItem and DeleteItem.
    const ledgerActions = actionsOf('LedgerApiFunctionRole');
    expect(ledgerActions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    for (const forbidden of [/Scan/, /BatchWriteItem/, /UpdateItem/, /^sqs:/, /^ses:/]) {
      expect(ledgerActions.filter((action) => forbidden.test(action))).toEqual([]);
    }
    expect(actionsOf('SesEventsFunctionRole')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
    ]);
    // No function role carries a managed policy.
    for (const [id, role] of ofType(dev.resources, 'AWS::IAM::Role')) {
      if (id.includes('Function')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('redrives jobs to the DLQ after 5 receives, with a visibility timeout 6x the worker timeout', () => {
    // The worker records a job dead-lettered on the receive the stack's redrive policy says.
    expect(JOB_MAX_RECEIVE_COUNT).toBe(5);
    const worker = ofType(dev.resources, 'AWS::Lambda::Function').find(
      ([, fn]) => fn.Properties.FunctionName === 'statement-mailer-dev-statement-worker',
    );
    const timeout = Number(worker?.[1].Properties.Timeout);
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'statement-mailer-dev-jobs',
      VisibilityTimeout: timeout * 6,
      RedrivePolicy: {
        maxReceiveCount: 5,
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('JobDeadLetterQueue'), 'Arn'] },
      },
      SqsManagedSseEnabled: true,
    });
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'statement-mailer-dev-jobs-dlq',
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
  });

  it('feeds the worker with partial batch responses and a concurrency derived from the SES rate', () => {
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: workerPacing(STAGES.dev?.sesMaxSendRate ?? 0).maxConcurrency },
    });
    expect(workerPacing(1)).toEqual({ maxConcurrency: 2, sendRatePerWorker: 0.5 });
    expect(workerPacing(14)).toEqual({ maxConcurrency: 2, sendRatePerWorker: 7 });
    expect(workerPacing(200)).toEqual({ maxConcurrency: 20, sendRatePerWorker: 10 });
  });

  it('refuses plain HTTP on every queue', () => {
    const policies = ofType(dev.resources, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(ofType(dev.resources, 'AWS::SQS::Queue').length);
    // Jobs, SES events, the SES subscription's DLQ, run feeds, and the schedule trigger's two DLQs.
    expect(policies).toHaveLength(8);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('exposes exactly the API routes, each behind the token authorizer (the OpenAPI document public) and its own function', () => {
    const resources = ofType(dev.resources, 'AWS::ApiGateway::Resource');
    const pathOf = (id: string): string => {
      const resource = dev.resources[id];
      if (resource === undefined) throw new Error(`No resource ${id}`);
      const parent = resource.Properties.ParentId as { Ref?: string };
      const prefix = parent.Ref === undefined ? '' : pathOf(parent.Ref);
      return `${prefix}/${String(resource.Properties.PathPart)}`;
    };
    const functionNameOf = (id: string | undefined) =>
      id === undefined ? undefined : String(dev.resources[id]?.Properties.FunctionName);
    const authorizers = ofType(dev.resources, 'AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0] ?? [];
    expect(functionNameOf(getAttTargets(authorizer?.Properties.AuthorizerUri)[0])).toBe(
      'statement-mailer-dev-authorizer',
    );
    expect(resources.length).toBeGreaterThan(0);

    const routes = ofType(dev.resources, 'AWS::ApiGateway::Method').map(([, method]) => {
      const integration = method.Properties.Integration as { Type: string; Uri: unknown };
      return {
        method: method.Properties.HttpMethod,
        path: pathOf((method.Properties.ResourceId as { Ref: string }).Ref),
        authorization: method.Properties.AuthorizationType,
        authorizer: (method.Properties.AuthorizerId as { Ref: string } | undefined)?.Ref,
        integration: integration.Type,
        function: functionNameOf(getAttTargets(integration.Uri)[0]),
      };
    });

    const expected = [
      ['POST', '/v2/customerstatements/bulk/email', 'bulk-email-api'],
      ['GET', '/v2/customerstatements/bulk/email/{batchId}', 'batch-status'],
      ['GET', '/v2/customers/{code}/notes', 'customer-notes'],
      ['GET', '/v2/customers', 'ledger-api'],
      ['GET', '/v2/customers/{code}', 'ledger-api'],
      ['PUT', '/v2/customers/{code}', 'ledger-api'],
      ['DELETE', '/v2/customers/{code}', 'ledger-api'],
      ['GET', '/v2/invoices/{number}', 'ledger-api'],
      ['PUT', '/v2/invoices/{number}', 'ledger-api'],
      ['DELETE', '/v2/invoices/{number}', 'ledger-api'],
      ['GET', '/v2/invoices/{number}/payments', 'ledger-api'],
      ['POST', '/v2/invoices/{number}/payments', 'ledger-api'],
      ['DELETE', '/v2/invoices/{number}/payments/{paymentNumber}', 'ledger-api'],
      ['GET', '/v2/creditnotes/{number}', 'ledger-api'],
      ['PUT', '/v2/creditnotes/{number}', 'ledger-api'],
      ['DELETE', '/v2/creditnotes/{number}', 'ledger-api'],
      ['GET', '/v2/payments/{number}', 'ledger-api'],
      ['PUT', '/v2/payments/{number}', 'ledger-api'],
      ['DELETE', '/v2/payments/{number}', 'ledger-api'],
      ['GET', '/v2/emailtemplates', 'ledger-api'],
      ['GET', '/v2/emailtemplates/defaultStatementTemplate', 'ledger-api'],
      ['GET', '/v2/emailtemplates/{number}', 'ledger-api'],
      ['PUT', '/v2/emailtemplates/{number}', 'ledger-api'],
      ['DELETE', '/v2/emailtemplates/{number}', 'ledger-api'],
      ['GET', '/v2/settings/statements', 'ledger-api'],
      ['PUT', '/v2/settings/statements', 'ledger-api'],
      ['POST', '/v2/ledger/batch', 'ledger-api'],
      ['POST', '/v2/customerstatements/runs', 'statement-runs-api'],
      ['GET', '/v2/customerstatements/runs/{runId}', 'statement-runs-api'],
      ['DELETE', '/v2/customerstatements/runs/{runId}', 'statement-runs-api'],
      ['GET', '/v2/customers/schedule-statement', 'statement-schedules-api'],
      ['POST', '/v2/customers/schedule-statement', 'statement-schedules-api'],
      ['DELETE', '/v2/customers/schedule-statement', 'statement-schedules-api'],
      ['GET', '/v2/customers/schedule-statement/{customerCode}', 'statement-schedules-api'],
      ['POST', '/v2/customers/schedule-statement/{customerCode}', 'statement-schedules-api'],
      ['DELETE', '/v2/customers/schedule-statement/{customerCode}', 'statement-schedules-api'],
      ['GET', '/v2/openapi.json', 'openapi'],
    ].map(([method, path, fn]) => ({
      method,
      path,
      // The OpenAPI document is public (discovery); every other route needs the token.
      authorization: fn === 'openapi' ? 'NONE' : 'CUSTOM',
      authorizer: fn === 'openapi' ? undefined : authorizerId,
      integration: 'AWS_PROXY',
      function: `statement-mailer-dev-${fn}`,
    }));
    const byRoute = (a: { method: unknown; path: unknown }, b: { method: unknown; path: unknown }) =>
      `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`);
    expect(routes.sort(byRoute)).toEqual(expected.sort(byRoute));
    // The local gateway serves the same table (infra/local/routes.ts builds from it).
    expect(
      API_ROUTES.map((route) => ({
        method: route.method,
        path: route.resource,
        function: `statement-mailer-dev-${route.functionName}`,
      })).sort(byRoute),
    ).toEqual(expected.map(({ method, path, function: fn }) => ({ method, path, function: fn })));

    // KashFlow's default template is a resource of its own beside {number}, so API Gateway routes
    // it before the parameter (the local gateway does the same: infra/local/http-request.ts).
    const children = (parentPath: string) =>
      resources
        .filter(([id]) => {
          const parent = dev.resources[id]?.Properties.ParentId as { Ref?: string };
          return parent.Ref !== undefined && pathOf(parent.Ref) === parentPath;
        })
        .map(([, resource]) => resource.Properties.PathPart)
        .sort();
    expect(children('/v2/emailtemplates')).toEqual(['defaultStatementTemplate', '{number}']);
    expect(children('/v2/customers/{code}')).toEqual(['notes']);
    // KashFlow's schedule-statement is a resource of its own beside {code}, routed before it.
    expect(children('/v2/customers')).toEqual(['schedule-statement', '{code}']);

    // API Gateway may invoke each function for exactly its own routes: one permission a route.
    const permissions = ofType(dev.resources, 'AWS::Lambda::Permission').filter(
      ([, permission]) => permission.Properties.Principal === 'apigateway.amazonaws.com',
    );
    const invocable = permissions
      .map(([, permission]) => {
        const arn = permission.Properties.SourceArn as { 'Fn::Join': [string, unknown[]] };
        const parts = arn['Fn::Join'][1];
        return `${functionNameOf(getAttTargets(permission.Properties.FunctionName)[0])} ${String(parts.at(-1))}`;
      })
      .filter((entry) => !entry.startsWith('statement-mailer-dev-authorizer'))
      .sort();
    expect(invocable).toEqual(
      expected
        .map((route) => `${route.function} /${route.method}${String(route.path).replace(/\{\w+\}/g, '*')}`)
        .sort(),
    );
  });

  it('caches an authorizer decision per token for AUTHORIZER_CACHE_TTL_SECONDS, the bound docs/api.md states', () => {
    expect(AUTHORIZER_CACHE_TTL_SECONDS).toBeGreaterThan(0);
    expect(AUTHORIZER_CACHE_TTL_SECONDS).toBeLessThanOrEqual(60);
    dev.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_TTL_SECONDS,
    });
  });

  it("answers API Gateway's own errors in KashFlow's shape", () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseTemplates: {
        'application/json': '{"Error":"InvalidSessionToken","Message":"Session token provided is invalid."}',
      },
    });
  });

  it("keeps each fallback answer's own status: DEFAULT_4XX and DEFAULT_5XX set no status code", () => {
    for (const [type, code] of [
      ['DEFAULT_4XX', 'BadRequest'],
      ['DEFAULT_5XX', 'InternalError'],
    ]) {
      const responses = ofType(dev.resources, 'AWS::ApiGateway::GatewayResponse').filter(
        ([, response]) => response.Properties.ResponseType === type,
      );
      expect(responses).toHaveLength(1);
      expect(responses[0]?.[1].Properties.StatusCode).toBeUndefined();
      expect(responses[0]?.[1].Properties.ResponseTemplates).toEqual({
        'application/json': `{"Error":"${code}","Message":$context.error.messageString}`,
      });
    }
  });

  it('answers every gateway error of the table the local gateway answers from (infra/gateway-errors.ts)', () => {
    const responses = ofType(dev.resources, 'AWS::ApiGateway::GatewayResponse');
    expect(responses).toHaveLength(Object.keys(GATEWAY_ERRORS).length);
    for (const error of Object.values(GATEWAY_ERRORS)) {
      if (!('message' in error)) continue; // the fallbacks: checked above
      dev.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: error.responseType,
        StatusCode: String(error.statusCode),
        ResponseTemplates: {
          'application/json': JSON.stringify({ Error: error.code, Message: error.message }),
        },
      });
    }
  });

  it('logs access, throttles the stage and puts a firewall with a body size limit in front', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [
        Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40, LoggingLevel: 'ERROR' }),
      ],
    });
    dev.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      // Without it, API Gateway sends WAF only 16 KB of a body and oversize MATCH blocks the rest.
      AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } },
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'body-size-limit',
          Action: { Block: {} },
          Statement: {
            AndStatement: {
              Statements: [
                {
                  SizeConstraintStatement: Match.objectLike({
                    ComparisonOperator: 'GT',
                    Size: 65_536,
                    FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
                  }),
                },
                { NotStatement: { Statement: Match.anyValue() } },
              ],
            },
          },
        }),
      ]),
    });
    dev.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  describe('the firewall body size limit', () => {
    type Statement = Record<string, unknown>;
    /** Whether a request of this method to this URI path is exempt from the body size limit. */
    let exempt: (method: string, uriPath: string) => boolean;

    beforeAll(() => {
      const [, acl] = ofType(dev.resources, 'AWS::WAFv2::WebACL')[0] ?? [];
      const rules = acl?.Properties.Rules as { Name: string; Statement: Statement }[];
      const statement = rules.find((rule) => rule.Name === 'body-size-limit')?.Statement as {
        AndStatement: { Statements: Statement[] };
      };
      const exemption = statement.AndStatement.Statements[1] as { NotStatement: { Statement: Statement } };
      // Evaluates the statement kinds the exemption uses, as AWS WAF does (its regexes are PCRE;
      // these use nothing JavaScript reads differently).
      const matches = (node: Statement, method: string, uriPath: string): boolean => {
        const [kind, value] = Object.entries(node)[0] ?? [];
        const inner = value as Record<string, unknown>;
        switch (kind) {
          case 'OrStatement':
            return (inner.Statements as Statement[]).some((child) => matches(child, method, uriPath));
          case 'AndStatement':
            return (inner.Statements as Statement[]).every((child) => matches(child, method, uriPath));
          case 'ByteMatchStatement':
            expect(inner).toMatchObject({ FieldToMatch: { Method: {} }, PositionalConstraint: 'EXACTLY' });
            return inner.SearchString === method;
          case 'RegexMatchStatement':
            expect(inner.FieldToMatch).toEqual({ UriPath: {} });
            // AWS WAF supports neither capturing groups nor many alternatives in one pattern.
            expect(String(inner.RegexString)).not.toMatch(/\((?!\?:)|\|/);
            return new RegExp(String(inner.RegexString)).test(uriPath);
          default:
            throw new Error(`Unexpected statement ${kind}`);
        }
      };
      exempt = (method, uriPath) => matches(exemption.NotStatement.Statement, method, uriPath);
    });

    const pathOf = (resource: string) => resource.replace(/\{\w+\}/g, 'A-1');

    it("lets the ledger's writes through at any size, through the stage URL and a custom domain", () => {
      const writes = API_ROUTES.filter(
        (route) => route.functionName === 'ledger-api' && (route.method === 'PUT' || route.method === 'POST'),
      );
      expect(writes.map((route) => `${route.method} ${route.resource}`)).toEqual(
        expect.arrayContaining(['POST /v2/ledger/batch', 'PUT /v2/settings/statements']),
      );
      for (const route of writes) {
        expect(exempt(route.method, pathOf(route.resource)), route.resource).toBe(true);
        expect(exempt(route.method, `/dev${pathOf(route.resource)}`), route.resource).toBe(true);
        expect(exempt(route.method, `/dev${pathOf(route.resource)}/`), route.resource).toBe(true);
      }
    });

    it("lets a run's customer list through at any size (its handler limits it to 2 MiB), the POST only", () => {
      const path = pathOf('/v2/customerstatements/runs');
      expect(exempt('POST', path)).toBe(true);
      expect(exempt('POST', `/dev${path}`)).toBe(true);
      expect(exempt('GET', `/dev${path}/A-1`)).toBe(false);
      expect(exempt('DELETE', `/dev${path}/A-1`)).toBe(false);
    });

    it('limits every other request, the bulk email POST and the ledger reads and deletes included', () => {
      const others = API_ROUTES.filter(
        (route) =>
          !(route.functionName === 'ledger-api' && (route.method === 'PUT' || route.method === 'POST')) &&
          !(route.functionName === 'statement-runs-api' && route.method === 'POST'),
      );
      expect(others.length).toBeGreaterThan(3);
      for (const route of others) {
        expect(exempt(route.method, pathOf(route.resource)), `${route.method} ${route.resource}`).toBe(false);
        expect(
          exempt(route.method, `/dev${pathOf(route.resource)}`),
          `${route.method} ${route.resource}`,
        ).toBe(false);
      }
      // A ledger write's method on another path, or another method on a ledger write's path.
      expect(exempt('POST', '/dev/v2/customerstatements/bulk/email')).toBe(false);
      expect(exempt('PUT', '/dev/v2/customers/101/notes')).toBe(false);
      expect(exempt('POST', '/dev/v2/ledger/batch/more')).toBe(false);
      expect(exempt('PUT', '/dev/stage/v2/ledger/batch')).toBe(false);
      expect(exempt('GET', '/dev/v2/ledger/batch')).toBe(false);
      expect(exempt('PATCH', '/dev/v2/customers/101')).toBe(false);
    });
  });

  it('keeps the table on demand, encrypted, with point-in-time recovery and TTL', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'statement-mailer-dev',
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('alarms on dead letters, job age, function errors and throttles, API 5xx and possible duplicates', () => {
    const alarms = ofType(dev.resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) =>
      String(alarm.Properties.AlarmName),
    );
    expect(alarms.sort()).toEqual(
      [
        'DeadLetters',
        'SesEventDeadLetters',
        'SesEventSubscriptionDeadLetters',
        'RunFeedDeadLetters',
        'ScheduleTriggerDeadLetters',
        'SchedulerDeadLetters',
        'OldestJobAge',
        ...[
          'api',
          'authorizer',
          'worker',
          'batchStatus',
          'customerNotes',
          'ledgerApi',
          'sesEvents',
          'runsApi',
          'runFeeder',
          'schedulesApi',
          'scheduleTrigger',
          'openApi',
        ].flatMap((fn) => [`${fn}-errors`, `${fn}-throttles`]),
        'Api5xx',
        'PossibleDuplicateEmail',
        'DuplicateEmailSent',
        'SentMarkerNotWritten',
      ]
        .map((name) => `statement-mailer-dev-${name}`)
        .sort(),
    );
    for (const [, alarm] of ofType(dev.resources, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
    }
  });

  describe('alarms on custom metrics', () => {
    let outDir: string;
    let emitted: Map<string, Set<string>>;

    beforeAll(async () => {
      outDir = await mkdtemp(path.join(tmpdir(), 'statement-mailer-bundles-'));
      emitted = await metricsEmittedByBundle(outDir);
    });

    afterAll(async () => {
      await rm(outDir, { recursive: true, force: true });
    });

    it('watch a metric the function named by their service dimension emits, in its namespace', () => {
      const functions = ofType(dev.resources, 'AWS::Lambda::Function').map(([, fn]) => {
        const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        return {
          bundle: String(fn.Properties.FunctionName).replace(/^statement-mailer-dev-/, ''),
          service: variables.POWERTOOLS_SERVICE_NAME,
          namespace: variables.POWERTOOLS_METRICS_NAMESPACE,
        };
      });
      for (const fn of functions) expect(fn.namespace).toBe(METRICS_NAMESPACE);
      const custom = ofType(dev.resources, 'AWS::CloudWatch::Alarm').filter(
        ([, alarm]) => !String(alarm.Properties.Namespace ?? 'AWS/').startsWith('AWS/'),
      );
      expect(custom.map(([, alarm]) => alarm.Properties.MetricName).sort()).toEqual(
        [METRIC.DuplicateEmailSent, METRIC.PossibleDuplicateEmail, METRIC.SentMarkerNotWritten].sort(),
      );
      for (const [id, alarm] of custom) {
        const dimensions = alarm.Properties.Dimensions as { Name: string; Value: unknown }[];
        expect(dimensions, id).toEqual([{ Name: SERVICE_DIMENSION, Value: expect.any(String) }]);
        const emitter = functions.filter((fn) => fn.service === dimensions[0]?.Value);
        expect(emitter, `${id}: no function has service ${String(dimensions[0]?.Value)}`).toHaveLength(1);
        expect(alarm.Properties.Namespace, id).toBe(emitter[0]?.namespace);
        expect([...(emitted.get(emitter[0]?.bundle ?? '') ?? [])], id).toContain(alarm.Properties.MetricName);
      }
    });

    it('name only metrics some function emits', () => {
      const all = new Set([...emitted.values()].flatMap((names) => [...names]));
      expect(Object.values(METRIC).filter((name) => !all.has(name))).toEqual([]);
      expect(emitted.get('statement-worker')).toContain(METRIC.PossibleDuplicateEmail);
    });
  });

  it('starts scheduled runs: Scheduler invokes schedule-trigger hourly through a role for it alone, with DLQs alarmed on both hops', () => {
    const idOf = (type: string, name: string, property: string) => {
      const found = ofType(dev.resources, type).find(([, r]) => r.Properties[property] === name);
      if (found === undefined) throw new Error(`No ${type} ${name}`);
      return found[0];
    };
    const triggerId = idOf('AWS::Lambda::Function', 'statement-mailer-dev-schedule-trigger', 'FunctionName');
    const schedulerDlq = idOf('AWS::SQS::Queue', 'statement-mailer-dev-scheduler-dlq', 'QueueName');
    const functionDlq = idOf('AWS::SQS::Queue', 'statement-mailer-dev-schedule-trigger-dlq', 'QueueName');
    const runFeeds = ofType(dev.resources, 'AWS::SQS::Queue').find(([id]) => id.startsWith('RunFeedQueue'));
    dev.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(5 * * * ? *)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [triggerId, 'Arn'] },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [schedulerDlq, 'Arn'] } },
      }),
    });
    const trigger = dev.resources[triggerId]?.Properties ?? {};
    expect(trigger.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [functionDlq, 'Arn'] } });
    expect(
      (trigger.Environment as { Variables: Record<string, unknown> }).Variables.RUN_FEED_QUEUE_URL,
    ).toEqual({
      Ref: runFeeds?.[0],
    });
    // Scheduler's role invokes the trigger, and sends to its DLQ; nothing else.
    const [schedule] = ofType(dev.resources, 'AWS::Scheduler::Schedule');
    const scheduleRole = (schedule?.[1].Properties.Target as { RoleArn?: unknown } | undefined)?.RoleArn;
    const roleId = getAttTargets(scheduleRole)[0] ?? '';
    const statements = ofType(dev.resources, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(
        ([, policy]) =>
          (policy.Properties.PolicyDocument as { Statement: { Action: string; Resource: unknown }[] })
            .Statement,
      );
    expect(statements.map((statement) => statement.Action).sort()).toEqual([
      'lambda:InvokeFunction',
      'sqs:SendMessage',
    ]);
    for (const statement of statements) {
      const targets = getAttTargets(statement.Resource);
      expect(targets.length).toBeGreaterThan(0);
      expect(targets.every((target) => target === triggerId || target === schedulerDlq)).toBe(true);
    }
    // The functions' own grants: the trigger reads and records schedules and starts runs; the API
    // reads and writes schedules. Neither scans.
    const actionsOf = (rolePrefix: string) =>
      ofType(dev.resources, 'AWS::IAM::Policy')
        .filter(([id]) => id.startsWith(rolePrefix))
        .flatMap(
          ([, policy]) =>
            (policy.Properties.PolicyDocument as { Statement: { Action: unknown }[] }).Statement,
        )
        .flatMap((statement) => [statement.Action].flat().map(String))
        .filter((action) => !action.startsWith('xray:') && !action.startsWith('logs:'))
        .sort();
    expect(actionsOf('ScheduleTriggerFunctionRole')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      // Lambda's asynchronous DLQ: the function's role sends a failed trigger there.
      'sqs:SendMessage',
    ]);
    expect(actionsOf('SchedulesApiFunctionRole')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    for (const name of ['ScheduleTriggerDeadLetters', 'SchedulerDeadLetters', 'scheduleTrigger-errors']) {
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `statement-mailer-dev-${name}`,
      });
    }
  });

  it('routes SES delivery, bounce and complaint events through SNS to the ses-events function, with DLQs for both hops', () => {
    dev.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['delivery', 'bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: Match.stringLikeRegexp('SesEventsTopic') } },
      }),
    });
    dev.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('SesEventsTopic') },
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('SesEventsFunction'), 'Arn'] },
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('SesEventsSubscriptionDeadLetterQueue'), 'Arn'],
        },
      },
    });
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'statement-mailer-dev-ses-events-subscription-dlq',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    // Only the SES events topic may send to it, and only over TLS.
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('SesEventsSubscriptionDeadLetterQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('SesEventsTopic') } } },
          }),
        ]),
      },
    });
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'statement-mailer-dev-SesEventSubscriptionDeadLetters',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [Match.stringLikeRegexp('SesEventsSubscriptionDeadLetterQueue'), 'QueueName'],
          },
        },
      ],
    });
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'statement-mailer-dev-ses-events',
      DeadLetterConfig: {
        TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SesEventsDeadLetterQueue'), 'Arn'] },
      },
    });
  });

  it('sends from the configured identity through a configuration set', () => {
    dev.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'statements@example.com',
    });
    dev.template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'statement-mailer-dev' });
  });

  it('outputs the API URL, table and queue names', () => {
    const outputs = Object.keys(dev.template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining(['ApiUrl', 'TableName', 'JobQueueUrl', 'DeadLetterQueueUrl']),
    );
  });

  it('keeps the logical id of every resource the deployed stack has, so an update never replaces one', () => {
    // A resource whose logical id changes is created anew and the old one deleted: the table's data
    // goes, and a fixed physical name (queues, functions, alarms) or a second event source mapping
    // for the job queue fails the update. The API deployment's id changes with the API by design.
    const ids = Object.entries(dev.resources)
      .filter(([, resource]) => resource.Type !== 'AWS::ApiGateway::Deployment')
      .map(([id, resource]) => `${resource.Type} ${id}`);
    expect(ids).toEqual(expect.arrayContaining(DEPLOYED_LOGICAL_IDS));
  });

  it('synthesizes with cdk-nag AwsSolutions and Serverless and no unacknowledged finding', () => {
    expect(() => dev.app.synth()).not.toThrow();
  });
});

describe('StatementMailerStack (prod)', () => {
  it('protects data: deletion protection and retained table', () => {
    const prod = synth('prod');
    prod.template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'statement-mailer-prod',
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
      }),
    });
    prod.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com' });
  });

  it('refuses an unknown stage by name', () => {
    expect(() => synth('staging')).toThrow('Unknown stage "staging"; choose one of: dev, prod');
  });
});

describe('the cdk-nag check', () => {
  it.each([
    ['AwsSolutions', (app: App) => new AwsSolutionsChecks(app)],
    ['Serverless', (app: App) => new ServerlessChecks(app)],
  ])('fails the synth on a %s finding nobody acknowledged', (_, pack) => {
    const app = new App();
    const stack = new Stack(app, 'Careless');
    new Queue(stack, 'PlainQueue');
    Validations.of(app).addPlugins(pack(app));
    expect(() => app.synth()).toThrow();
  });

  it("runs the Serverless pack on the app's own synth: an unacknowledged finding fails it", async () => {
    const { app, stack } = buildApp(new App({ context: { stage: 'dev' } }));
    // Only the Serverless pack checks an SNS subscription for a redrive policy.
    new CfnSubscription(stack, 'CarelessSubscription', {
      protocol: 'sqs',
      topicArn: 'arn:aws:sns:eu-west-2:000000000000:careless',
      endpoint: 'arn:aws:sqs:eu-west-2:000000000000:careless',
    });

    expect(() => app.synth()).toThrow('validation-report.json');
    const report = JSON.parse(await readFile(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
      }[];
    };
    const violations = report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map(
          (construct) => `${plugin.pluginName} ${violation.ruleName} ${construct.constructPath}`,
        ),
      ),
    );
    expect(violations).toEqual([
      'Serverless Serverless-SNSRedrivePolicy StatementMailer-dev/CarelessSubscription',
    ]);
  });
});
