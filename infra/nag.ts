/**
 * The cdk-nag findings this app accepts (AwsSolutions and Serverless packs), each on the construct
 * it concerns and with the reason. Anything not listed here fails the synth.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StatementMailerStack } from './stack.ts';

/** Accepts these findings (rule id: reason) on each of the constructs and what they contain. */
function accept(constructs: readonly (IConstruct | undefined)[], findings: Record<string, string>): void {
  for (const construct of constructs) {
    if (construct === undefined) continue;
    for (const [id, reason] of Object.entries(findings))
      Validations.of(construct).acknowledge({ id, reason });
  }
}

export function acknowledgeNagFindings(stack: StatementMailerStack): void {
  const { functions } = stack;
  accept(
    Object.values(functions).map((fn) => fn.role),
    {
      'AwsSolutions-IAM5[Resource::*]':
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) use Resource *: X-Ray supports no resource-level permissions for them. Every data action is scoped to one table, queue, identity or log group.',
    },
  );
  // A Lambda DLQ (DeadLetterConfig) only receives failed asynchronous invocations. The ses-events
  // function, which SNS invokes asynchronously, has one; these functions are never invoked so.
  accept(
    [
      functions.api,
      functions.authorizer,
      functions.batchStatus,
      functions.customerNotes,
      functions.ledgerApi,
      functions.runsApi,
      functions.schedulesApi,
      // The openapi function (infra/constructs/api.ts): not in the stack's typed function list.
      stack.node.tryFindChild('OpenApiFunction'),
    ],
    {
      'Serverless-LambdaDLQ':
        'Invoked synchronously by API Gateway only, which answers the client with the error: there is no asynchronous event to dead-letter, so a DeadLetterConfig would never receive anything.',
    },
  );
  accept([functions.worker, functions.runFeeder], {
    'Serverless-LambdaDLQ':
      "Invoked only by an SQS event source mapping (synchronously): a failed job or run feed message stays on its queue and the queue's redrive policy moves it to its DLQ after maxReceiveCount receives, with an alarm on that DLQ's depth.",
    'Serverless-LambdaEventSourceMappingDestination':
      "Lambda supports on-failure destinations only for stream and Kafka event sources, not SQS: for SQS the source queue's redrive policy (to its DLQ, alarmed) is the failure destination, and ReportBatchItemFailures retries only the failed messages.",
  });
  accept(
    [
      stack.deadLetterQueue,
      stack.sesEventsDeadLetterQueue,
      stack.sesEventsSubscriptionDeadLetterQueue,
      stack.runFeedDeadLetterQueue,
    ],
    {
      'Serverless-SQSRedrivePolicy':
        'This queue is itself a dead-letter queue that nothing consumes automatically: messages stay 14 days for an operator to inspect and redrive, and an alarm fires on its depth. A redrive policy of its own would only move them to a further queue.',
    },
  );
  accept([stack.sesEventsSubscriptionDeadLetterQueue], {
    'AwsSolutions-SQS3':
      "It is a dead-letter queue: the SES events topic's Lambda subscription names it in its RedrivePolicy, which the rule does not recognise (it knows only SQS redrive policies and Lambda DeadLetterConfig).",
  });
  // GET /v2/openapi.json: the API's description, public by design (infra/api-routes.ts).
  accept([stack.api.root.resourceForPath('/v2/openapi.json').node.tryFindChild('GET')], {
    'AwsSolutions-APIG4':
      'GET /v2/openapi.json serves only the public OpenAPI description of this API, the same document as docs/openapi.json in the repository: no tenant data, so no token is asked for (discovery and client generators fetch it). Every other method has the TOKEN authorizer.',
    'AwsSolutions-COG4':
      'GET /v2/openapi.json is public by design (see AwsSolutions-APIG4); the other methods use the Lambda TOKEN authorizer, as KashFlow clients send KfToken, not Cognito tokens.',
  });
  accept([stack.api], {
    'AwsSolutions-APIG2':
      "Bodies may be JSON or XML (KashFlow accepts both) and errors must use KashFlow's {Error, Message} shape, so the handler validates the query and body with zod; an API Gateway model could validate neither.",
    'AwsSolutions-COG4':
      "KashFlow clients authenticate with 'Authorization: KfToken <token>'; the Lambda TOKEN authorizer checks SHA-256 hashes of tenants' API tokens in DynamoDB. There are no Cognito users.",
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]':
      "API Gateway's account-level CloudWatch Logs role, needed for execution and access logs; AWS publishes this managed policy for exactly that role and it grants log writes only.",
  });
}
