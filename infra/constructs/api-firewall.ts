import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { ApiRoute } from '../api-routes.ts';

/** The largest body the firewall still inspects whole, and allows (bulk email's own is 32 KiB). */
export const FIREWALL_MAX_BODY_BYTES = 65_536;

export interface ApiFirewallProps {
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  /** Requests per 5 minutes from one IP before the firewall blocks it. */
  rateLimitPer5Minutes: number;
  /** The API stage the firewall stands in front of. */
  stage: Stage;
  /**
   * The routes whose bodies may be larger than FIREWALL_MAX_BODY_BYTES (their function enforces
   * its own limits); every other request with a larger body is blocked.
   */
  largeBodyRoutes: readonly Pick<ApiRoute, 'method' | 'resource'>[];
}

/**
 * A regular expression (PCRE as AWS WAF supports it: no capturing groups, no alternation) that
 * matches the URI path of a request to `resource`, with or without a first segment before it:
 * the stage through the execute-api endpoint (`/dev/v2/…`), or none through a custom domain.
 */
export function resourcePathRegex(resource: string): string {
  const pattern = resource
    .split(/(\{\w+\})/)
    .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return `^(?:/[^/]+)?${pattern}/?$`;
}

const noTransformation = [{ priority: 0, type: 'NONE' }];

/** A request to one of `routes`: its method, and a URI path its resource matches. */
function requestTo(routes: readonly Pick<ApiRoute, 'method' | 'resource'>[]): CfnWebACL.StatementProperty {
  const statements = routes.map(
    (route): CfnWebACL.StatementProperty => ({
      andStatement: {
        statements: [
          {
            byteMatchStatement: {
              fieldToMatch: { method: {} },
              positionalConstraint: 'EXACTLY',
              searchString: route.method,
              textTransformations: noTransformation,
            },
          },
          {
            regexMatchStatement: {
              fieldToMatch: { uriPath: {} },
              regexString: resourcePathRegex(route.resource),
              textTransformations: noTransformation,
            },
          },
        ],
      },
    }),
  );
  const [only] = statements;
  return statements.length === 1 && only !== undefined ? only : { orStatement: { statements } };
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
 * AWS WAF in front of the API stage: a body size limit (except on the routes that take large
 * bodies), a rate limit per IP and AWS's known bad inputs rule group. Its resources are created in
 * the stack's scope (docs/deploy.md, Logical ids).
 */
export class ApiFirewall {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, props: ApiFirewallProps) {
    const { prefix } = props;
    const bodyTooLarge: CfnWebACL.StatementProperty = {
      sizeConstraintStatement: {
        fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
        comparisonOperator: 'GT',
        size: FIREWALL_MAX_BODY_BYTES,
        textTransformations: noTransformation,
      },
    };
    this.webAcl = new CfnWebACL(scope, 'ApiFirewall', {
      name: `${prefix}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      // API Gateway sends AWS WAF the first 16 KB of a body unless told more; with oversize
      // handling MATCH, the 64 KiB rule below would then block every body over 16 KB, the bulk
      // email's 16 to 32 KiB ones included. 64 KB is the most it can send.
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: `${prefix}-api`,
        sampledRequestsEnabled: true,
      },
      rules: [
        // 35 codes need under 4 KiB; the handler refuses over 32 KiB, the firewall over 64 KiB.
        // The ledger's writes take up to 1 MB a record and 3 MB a bulk call, far more than AWS
        // WAF can inspect (64 KB): their function enforces those limits, API Gateway its 10 MB.
        rule('body-size-limit', 0, {
          action: { block: {} },
          statement:
            props.largeBodyRoutes.length === 0
              ? bodyTooLarge
              : {
                  andStatement: {
                    statements: [
                      bodyTooLarge,
                      { notStatement: { statement: requestTo(props.largeBodyRoutes) } },
                    ],
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
