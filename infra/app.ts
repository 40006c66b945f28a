/**
 * The CDK app: `npx cdk deploy -c stage=dev` (or prod). The AwsSolutions and Serverless cdk-nag
 * packs run on every synth; a finding that is not acknowledged with a reason (infra/nag.ts) fails it.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { stageConfig } from './config.ts';
import { acknowledgeNagFindings } from './nag.ts';
import { StatementMailerStack } from './stack.ts';

export function buildApp(app = new App()): { app: App; stack: StatementMailerStack } {
  const config = stageConfig(app.node.tryGetContext('stage') as string | undefined);
  const stack = new StatementMailerStack(app, `StatementMailer-${config.stage}`, {
    config,
    env: config.account === undefined ? undefined : { account: config.account, region: config.region },
    description: `statement mailer (${config.stage}): KashFlow-compatible bulk customer statement email`,
  });
  Tags.of(stack).add('service', 'statement-mailer');
  Tags.of(stack).add('stage', config.stage);
  acknowledgeNagFindings(stack);
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
