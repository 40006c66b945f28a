import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

export interface ApiFirewallProps {
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  /** Requests per 5 minutes from one IP before the firewall blocks it. */
  rateLimitPer5Minutes: number;
  /** The API stage the firewall stands in front of. */
  stage: Stage;
}

/** A rule with CloudWatch metrics and sampled requests under its own name. */
function rule(
  name: string,
  priority: number,
  rest: Pick<CfnWebACL.RuleProperty, 'action' | 'overrideAction' | 'statement'>,
): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    ...rest,
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
  };
}

/**
 * AWS WAF in front of the API stage: a body size limit, a rate limit per IP and AWS's known bad
 * inputs rule group. Its resources are created in the stack's scope (docs/deploy.md, Logical ids).
 */
export class ApiFirewall {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, props: ApiFirewallProps) {
    const { prefix } = props;
    this.webAcl = new CfnWebACL(scope, 'ApiFirewall', {
      name: `${prefix}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: `${prefix}-api`,
        sampledRequestsEnabled: true,
      },
      rules: [
        // 35 codes need under 4 KiB; the handler refuses over 32 KiB, the firewall over 64 KiB.
        rule('body-size-limit', 0, {
          action: { block: {} },
          statement: {
            sizeConstraintStatement: {
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: 65_536,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        }),
        rule('rate-per-ip', 1, {
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: props.rateLimitPer5Minutes, aggregateKeyType: 'IP' },
          },
        }),
        rule('aws-known-bad-inputs', 2, {
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
          },
        }),
      ],
    });
    new CfnWebACLAssociation(scope, 'ApiFirewallAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
