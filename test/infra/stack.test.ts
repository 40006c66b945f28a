import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { STAGES, workerPacing } from '../../infra/config.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function synth(stage: string) {
  const { app, stack } = buildApp(new App({ context: { stage } }));
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Resources };
}

const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, value]) => value.Type === type);

describe('StatementMailerStack (dev)', () => {
  let dev: ReturnType<typeof synth>;

  beforeAll(() => {
    dev = synth('dev');
  });

  it('has six Node.js 22 ARM64 functions with active tracing and their own log groups', () => {
    const functions = ofType(dev.resources, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(6);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
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
        'ses-events',
        'statement-worker',
      ].map((name) => `statement-mailer-dev-${name}`),
    );
  });

  it('keeps every function log group for the stage retention', () => {
    const logGroups = ofType(dev.resources, 'AWS::Logs::LogGroup').map(([, group]) => group.Properties);
    for (const name of [
      'authorizer',
      'bulk-email-api',
      'statement-worker',
      'batch-status',
      'customer-notes',
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
    expect(policies).toHaveLength(3);
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

  it('puts the authorizer on every route, with a per-token cache', () => {
    const methods = ofType(dev.resources, 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(0);
    for (const [, method] of methods) {
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: expect.any(String) },
      });
    }
    dev.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
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
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'body-size-limit',
          Statement: {
            SizeConstraintStatement: Match.objectLike({ ComparisonOperator: 'GT', Size: 65_536 }),
          },
        }),
      ]),
    });
    dev.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
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
        'OldestJobAge',
        ...['api', 'authorizer', 'worker', 'batchStatus', 'customerNotes', 'sesEvents'].flatMap((fn) => [
          `${fn}-errors`,
          `${fn}-throttles`,
        ]),
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

  it('routes SES delivery, bounce and complaint events through SNS to the ses-events function, with a DLQ', () => {
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
    });
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'statement-mailer-dev-ses-events',
      DeadLetterConfig: {
        TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SesEventsDeadLetterQueue'), 'Arn'] },
      },
    });
  });

  it('serves the batch status and notes routes', () => {
    const paths = ofType(dev.resources, 'AWS::ApiGateway::Resource').map(
      ([, resource]) => resource.Properties.PathPart,
    );
    expect(paths).toEqual(expect.arrayContaining(['{batchId}', 'customers', '{code}', 'notes']));
    expect(
      ofType(dev.resources, 'AWS::ApiGateway::Method')
        .map(([, method]) => method.Properties.HttpMethod)
        .sort(),
    ).toEqual(['GET', 'GET', 'POST']);
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

  it('synthesizes with cdk-nag AwsSolutions and no unacknowledged finding', () => {
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
  it('fails the synth on a finding nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Careless');
    new Queue(stack, 'PlainQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
  });
});
