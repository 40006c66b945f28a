/**
 * Creates the local stack's table and queues, the same shape as the CDK stack's, on whatever
 * endpoints the environment names. Creating what already exists is a no-op.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';
import { JOB_MAX_RECEIVE_COUNT, TABLE_DESIGN } from '#shared/aws/table-design.ts';

export async function ensureTable(tableName: string, client = new DynamoDBClient({})): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_DESIGN.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_DESIGN.sortKey, AttributeType: 'S' },
          { AttributeName: TABLE_DESIGN.sesMessageIndex.partitionKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE_DESIGN.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_DESIGN.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE_DESIGN.sesMessageIndex.name,
            KeySchema: [{ AttributeName: TABLE_DESIGN.sesMessageIndex.partitionKey, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let tries = 0; tries < 50; tries += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await sleep(100);
  }
  // dynalite accepts but does not act on TTL; LocalStack and AWS do.
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_DESIGN.timeToLiveAttribute, Enabled: true },
      }),
    )
    .catch(() => undefined);
}

export interface JobQueues {
  queueUrl: string;
  deadLetterQueueUrl: string;
}

/**
 * The job queue and its dead-letter queue. Locally the visibility timeout is short so that a
 * failed job is retried within seconds; in AWS it is 6x the worker's timeout (infra/).
 */
export async function ensureJobQueues(
  name: string,
  { visibilityTimeoutSeconds = 10, maxReceiveCount = JOB_MAX_RECEIVE_COUNT } = {},
  client = new SQSClient(SQS_CLIENT_CONFIG),
): Promise<JobQueues> {
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  const deadLetterQueueUrl = dlq.QueueUrl ?? '';
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl ?? '', deadLetterQueueUrl };
}
