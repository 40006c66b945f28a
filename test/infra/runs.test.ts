/**
 * The statement runs' wiring in the CDK stack (docs/runs.md, docs/deploy.md): the run-feeds queue
 * and its DLQ, the run feeder and its event source, the runs API function, least-privilege grants,
 * the alarm on the run-feeds DLQ, and the firewall letting a run's customer list through.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import {
  RUN_FEED_MAX_RECEIVE_COUNT,
  RUN_FEEDER_SETTINGS,
  RUN_FEEDER_TIMEOUT,
} from '../../infra/constructs/run-feeds.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

describe('statement runs in the stack (dev)', () => {
  let template: Template;
  let resources: Resources;
  const idOf = (type: string, property: string, value: string): string => {
    const found = Object.entries(resources).find(
      ([, r]) => r.Type === type && r.Properties[property] === value,
    );
    if (found === undefined) throw new Error(`No ${type} with ${property} ${value}`);
    return found[0];
  };
  /** The distinct IAM actions of a function's role, xray and logs left out, sorted. */
  const actionsOf = (functionName: string): string[] => {
    const fn =
      resources[idOf('AWS::Lambda::Function', 'FunctionName', `statement-mailer-dev-${functionName}`)];
    const role = fn?.Properties.Role as { 'Fn::GetAtt'?: string[] } | undefined;
    const roleId = role?.['Fn::GetAtt']?.[0] ?? '';
    return Object.values(resources)
      .filter(
        (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`),
      )
      .flatMap(
        (r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      )
      .flatMap((statement) => [statement.Action].flat())
      .filter((action, index, all) => !/^(xray|logs):/.test(action) && all.indexOf(action) === index)
      .sort();
  };

  beforeAll(() => {
    const { stack } = buildApp(new App({ context: { stage: 'dev' } }));
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
  });

  it('keeps the run-feeds queue encrypted, HTTPS only, redriving to its DLQ, visibility 6x the feeder timeout', () => {
    const dlq = idOf('AWS::SQS::Queue', 'QueueName', 'statement-mailer-dev-run-feeds-dlq');
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'statement-mailer-dev-run-feeds',
      SqsManagedSseEnabled: true,
      VisibilityTimeout: RUN_FEEDER_TIMEOUT.toSeconds() * 6,
      RedrivePolicy: {
        maxReceiveCount: RUN_FEED_MAX_RECEIVE_COUNT,
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'statement-mailer-dev-run-feeds-dlq',
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    const queue = idOf('AWS::SQS::Queue', 'QueueName', 'statement-mailer-dev-run-feeds');
    for (const id of [queue, dlq]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('feeds the run feeder one message at a time, partial batch responses, bounded concurrency, with its settings', () => {
    const queue = idOf('AWS::SQS::Queue', 'QueueName', 'statement-mailer-dev-run-feeds');
    const feeder = idOf('AWS::Lambda::Function', 'FunctionName', 'statement-mailer-dev-run-feeder');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: feeder },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    const jobQueue = idOf('AWS::SQS::Queue', 'QueueName', 'statement-mailer-dev-jobs');
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'statement-mailer-dev-run-feeder',
      Timeout: RUN_FEEDER_TIMEOUT.toSeconds(),
      Environment: {
        Variables: Match.objectLike({
          ...RUN_FEEDER_SETTINGS,
          RUN_FEED_QUEUE_URL: { Ref: queue },
          JOB_QUEUE_URL: { Ref: jobQueue },
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
  });

  it('grants the feeder, the runs API and the worker only what runs need of them', () => {
    expect(actionsOf('run-feeder')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      // Consuming its own queue (the event source mapping), sending to it (the next step) and
      // to the job queue.
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(actionsOf('statement-runs-api')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    // A run job's claim is one conditional write and a read of the run: no transaction, no ConditionCheck.
    expect(actionsOf('statement-worker')).not.toContain('dynamodb:ConditionCheckItem');
    for (const fn of ['run-feeder', 'statement-runs-api']) {
      expect(actionsOf(fn).filter((action) => /Scan|\*/.test(action))).toEqual([]);
    }
  });

  it("lets the feeder read the job queue's attributes: the lapsed-job sweep's window and idle check", () => {
    const jobQueue = idOf('AWS::SQS::Queue', 'QueueName', 'statement-mailer-dev-jobs');
    const feeder =
      resources[idOf('AWS::Lambda::Function', 'FunctionName', 'statement-mailer-dev-run-feeder')];
    const role = feeder?.Properties.Role as { 'Fn::GetAtt'?: string[] } | undefined;
    const roleId = role?.['Fn::GetAtt']?.[0] ?? '';
    const statements = Object.values(resources)
      .filter(
        (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`),
      )
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
            .Statement,
      );
    const onJobQueue = statements.filter(
      (statement) =>
        JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [jobQueue, 'Arn'] }),
    );
    expect(onJobQueue.flatMap((statement) => [statement.Action].flat())).toContain('sqs:GetQueueAttributes');
  });

  it('alarms on the run-feeds dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'statement-mailer-dev-RunFeedDeadLetters',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RunFeedDeadLetterQueue'), 'QueueName'] },
        },
      ],
    });
    for (const name of ['runFeeder-errors', 'runsApi-errors']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `statement-mailer-dev-${name}` });
    }
  });

  it("lets a run's customer list past the firewall's body size limit, on the POST only", () => {
    const acl = Object.values(resources).find((r) => r.Type === 'AWS::WAFv2::WebACL');
    const rules = (acl?.Properties.Rules ?? []) as { Name: string; Statement: unknown }[];
    const rule = rules.find((candidate) => candidate.Name === 'body-size-limit');
    const text = JSON.stringify(rule?.Statement);
    expect(text).toContain('customerstatements/runs');
    expect(text).toMatch(/"SearchString":"POST"/);
  });
});
