import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE_DESIGN } from '../../shared/aws/table-design.ts';
import { removalPolicyOf, type StageConfig } from '../config.ts';

/**
 * The service's one DynamoDB table (TABLE_DESIGN): on demand, encrypted, point-in-time recovery,
 * expiry by TTL, and the index from an SES message id to its send. Where the stage protects data,
 * deletion protection is on and the table outlives the stack.
 */
export class StatementMailerTable extends TableV2 {
  constructor(scope: Construct, id: string, props: { tableName: string; config: StageConfig }) {
    super(scope, id, {
      tableName: props.tableName,
      partitionKey: { name: TABLE_DESIGN.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_DESIGN.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_DESIGN.timeToLiveAttribute,
      globalSecondaryIndexes: [
        {
          indexName: TABLE_DESIGN.sesMessageIndex.name,
          partitionKey: { name: TABLE_DESIGN.sesMessageIndex.partitionKey, type: AttributeType.STRING },
          projectionType: ProjectionType.KEYS_ONLY,
        },
      ],
      deletionProtection: props.config.protectData,
      removalPolicy: removalPolicyOf(props.config),
    });
  }
}
