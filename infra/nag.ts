/**
 * The cdk-nag findings this app accepts (AwsSolutions and Serverless packs), each on the construct
 * it concerns and with the reason. Anything not listed here fails the synth.
 */
import { Validations } from 'aws-cdk-lib';
import type { StatementMailerStack } from './stack.ts';

export function acknowledgeNagFindings(stack: StatementMailerStack): void {
  for (const fn of Object.values(stack.functions)) {
    if (fn.role !== undefined) {
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) use Resource *: X-Ray supports no resource-level permissions for them. Every data action is scoped to one table, queue, identity or log group.',
      });
    }
  }
  // A Lambda DLQ (DeadLetterConfig) only receives failed asynchronous invocations. The ses-events
  // function, which SNS invokes asynchronously, has one; these functions are never invoked so.
  for (const fn of [
    stack.functions.api,
    stack.functions.authorizer,
    stack.functions.batchStatus,
    stack.functions.customerNotes,
  ]) {
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by API Gateway only, which answers the client with the error: there is no asynchronous event to dead-letter, so a DeadLetterConfig would never receive anything.',
    });
  }
  Validations.of(stack.functions.worker).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      "Invoked only by the SQS event source mapping (synchronously): a failed job stays on the job queue and its redrive policy moves it to the jobs DLQ after maxReceiveCount receives, with an alarm on that queue's depth.",
  });
  Validations.of(stack.functions.worker).acknowledge({
    id: 'Serverless-LambdaEventSourceMappingDestination',
    reason:
      "Lambda supports on-failure destinations only for stream and Kafka event sources, not SQS: for SQS the source queue's redrive policy (to the jobs DLQ, alarmed) is the failure destination, and ReportBatchItemFailures retries only the failed jobs.",
  });
  for (const queue of [
    stack.deadLetterQueue,
    stack.sesEventsDeadLetterQueue,
    stack.sesEventsSubscriptionDeadLetterQueue,
  ]) {
    Validations.of(queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself a dead-letter queue that nothing consumes automatically: messages stay 14 days for an operator to inspect and redrive, and an alarm fires on its depth. A redrive policy of its own would only move them to a further queue.',
    });
  }
  Validations.of(stack.sesEventsSubscriptionDeadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "It is a dead-letter queue: the SES events topic's Lambda subscription names it in its RedrivePolicy, which the rule does not recognise (it knows only SQS redrive policies and Lambda DeadLetterConfig).",
  });
  Validations.of(stack.api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      "Bodies may be JSON or XML (KashFlow accepts both) and errors must use KashFlow's {Error, Message} shape, so the handler validates the query and body with zod; an API Gateway model could validate neither.",
  });
  Validations.of(stack.api).acknowledge({
    id: 'AwsSolutions-COG4',
    reason:
      "KashFlow clients authenticate with 'Authorization: KfToken <token>'; the Lambda TOKEN authorizer checks SHA-256 hashes of tenants' API tokens in DynamoDB. There are no Cognito users.",
  });
  Validations.of(stack.api).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      "API Gateway's account-level CloudWatch Logs role, needed for execution and access logs; AWS publishes this managed policy for exactly that role and it grants log writes only.",
  });
}
