/**
 * Bundled in place of `@aws-sdk/credential-provider-node` in the Lambda bundles only (see
 * infra/bundling.ts). Lambda hands every function its role's credentials in the environment, so
 * the default chain's SSO, profile, process, web-identity and instance-metadata providers (with
 * their STS/SSO clients, about 90 KB of bundle) are never used there. Local tools and tests keep
 * the SDK's full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Replaces the SDK's `defaultProvider` (same signature): Lambda's credentials are in the environment. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
