/**
 * The AwsSolutions findings this app accepts, each on the construct it concerns and with the
 * reason. Anything not listed here fails the synth.
 */
import { Validations } from 'aws-cdk-lib';
import type { StatementMailerStack } from './stack.ts';

export function acknowledgeNagFindings(stack: StatementMailerStack): void {
  for (const fn of Object.values(stack.functions)) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime this service is built and tested for: CI runs every bundle under Node.js 22. Moving to a newer runtime is a tested change of its own.',
    });
    if (fn.role !== undefined) {
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) use Resource *: X-Ray supports no resource-level permissions for them. Every data action is scoped to one table, queue, identity or log group.',
      });
    }
  }
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
