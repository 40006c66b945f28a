import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { removalPolicyOf, type StageConfig } from '../config.ts';

export interface EncryptedTopicProps {
  id: string;
  /** The construct id of the topic's key, created beside it. */
  keyId: string;
  topicName: string;
  /** The key's description. */
  description: string;
  /** The AWS service that publishes to the topic, e.g. `ses.amazonaws.com`. */
  publisher: string;
  config: StageConfig;
}

/**
 * An SNS topic encrypted with a customer-managed key (rotated yearly) that its publishing service
 * may use: services can publish only to topics whose key lets them, which an AWS-managed SNS key
 * does not. TLS only.
 */
export function encryptedTopic(scope: Construct, props: EncryptedTopicProps): Topic {
  const key = new Key(scope, props.keyId, {
    description: props.description,
    enableKeyRotation: true,
    removalPolicy: removalPolicyOf(props.config),
  });
  key.grant(new ServicePrincipal(props.publisher), 'kms:Decrypt', 'kms:GenerateDataKey*');
  return new Topic(scope, props.id, { topicName: props.topicName, masterKey: key, enforceSSL: true });
}
