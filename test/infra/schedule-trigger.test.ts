/**
 * The schedule trigger's wiring (infra/constructs/schedule-trigger.ts), on a stack of its own with
 * a table and a run-feeds queue: EventBridge Scheduler invokes the function hourly through a role
 * that may invoke only it, with retries and a dead-letter queue; the function has its own DLQ for
 * failed triggers and only the table actions and queue it uses; cdk-nag finds nothing unacknowledged.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config.ts';
import { ScheduleTrigger } from '../../infra/constructs/schedule-trigger.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function build(nag = false) {
  const app = new App();
  // Before anything synthesizes: the plugins run at the app's first synth.
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const stack = new Stack(app, 'ScheduleTriggerTest');
  const table = new TableV2(stack, 'Table', {
    partitionKey: { name: 'PK', type: AttributeType.STRING },
    sortKey: { name: 'SK', type: AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const runFeedQueue = new Queue(stack, 'RunFeeds', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  // The runs part's queue, here only as what the trigger sends to; its own DLQ is not this test's.
  for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'])
    Validations.of(runFeedQueue).acknowledge({
      id,
      reason: 'A stand-in for the run-feeds queue (stack.ts wires the real one).',
    });
  const trigger = new ScheduleTrigger(stack, {
    prefix: 'statement-mailer-dev',
    config: stageConfig('dev'),
    table,
    runFeedQueue,
  });
  return { app, stack, trigger, template: nag ? undefined : Template.fromStack(stack) };
}

describe('ScheduleTrigger', () => {
  let built: ReturnType<typeof build>;
  let resources: Resources;
  const idOf = (type: string, match: (properties: Record<string, unknown>) => boolean) => {
    const found = Object.entries(resources).find(([, r]) => r.Type === type && match(r.Properties));
    if (found === undefined) throw new Error(`no ${type}`);
    return found[0];
  };

  beforeAll(() => {
    built = build();
    resources = built.template?.toJSON().Resources as Resources;
  });

  it('invokes the schedule-trigger function hourly at five past, flexible window off, in its own group', () => {
    const functionId = idOf(
      'AWS::Lambda::Function',
      (p) => p.FunctionName === 'statement-mailer-dev-schedule-trigger',
    );
    built.template?.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: 'statement-mailer-dev-statements',
    });
    built.template?.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'statement-mailer-dev-schedule-trigger',
      ScheduleExpression: 'cron(5 * * * ? *)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      GroupName: Match.anyValue(),
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        DeadLetterConfig: {
          Arn: {
            'Fn::GetAtt': [
              idOf('AWS::SQS::Queue', (p) => p.QueueName === 'statement-mailer-dev-scheduler-dlq'),
              'Arn',
            ],
          },
        },
      }),
    });
  });

  it("gives Scheduler's role lambda:InvokeFunction on the trigger function only", () => {
    const functionId = idOf(
      'AWS::Lambda::Function',
      (p) => p.FunctionName === 'statement-mailer-dev-schedule-trigger',
    );
    const schedule = Object.values(resources).find((r) => r.Type === 'AWS::Scheduler::Schedule');
    const target = schedule?.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } } | undefined;
    const roleId = target?.RoleArn['Fn::GetAtt'][0] ?? '';
    expect(resources[roleId]?.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' } })],
    });
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId))
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      );
    const invoke = statements.filter((s) => JSON.stringify(s.Action).includes('lambda:'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]?.Action).toBe('lambda:InvokeFunction');
    const targets = [invoke[0]?.Resource].flat();
    for (const target of targets) expect(JSON.stringify(target)).toContain(functionId);
    // Besides the invoke: sending the undeliverable event to its DLQ, nothing else.
    const others = statements.filter((s) => !JSON.stringify(s.Action).includes('lambda:'));
    expect(others.map((s) => s.Action)).toEqual(['sqs:SendMessage']);
  });

  it('binds the table actions and the run-feeds queue it uses, and a DLQ for failed triggers', () => {
    const fn = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Properties.FunctionName === 'statement-mailer-dev-schedule-trigger',
    );
    expect(fn?.Properties).toMatchObject({
      Timeout: 300,
      MemorySize: 256,
      Environment: {
        Variables: expect.objectContaining({
          TABLE_NAME: expect.anything(),
          RUN_FEED_QUEUE_URL: expect.anything(),
        }),
      },
      DeadLetterConfig: {
        TargetArn: {
          'Fn::GetAtt': [
            idOf('AWS::SQS::Queue', (p) => p.QueueName === 'statement-mailer-dev-schedule-trigger-dlq'),
            'Arn',
          ],
        },
      },
    });
    const role = fn?.Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined;
    const roleId = role?.['Fn::GetAtt'][0] ?? '';
    const actions = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: unknown }[] }).Statement)
      .flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:PutItem',
        'dynamodb:BatchWriteItem',
        'sqs:SendMessage',
      ]),
    );
    expect(actions.filter((action) => String(action).startsWith('dynamodb:'))).toHaveLength(6);
    expect(actions).not.toContain('dynamodb:Scan');
  });

  it('synthesizes with cdk-nag AwsSolutions and Serverless and no unacknowledged finding', () => {
    const { app } = build(true);
    expect(() => app.synth()).not.toThrow();
  });
});
