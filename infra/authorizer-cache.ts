/**
 * How long API Gateway reuses a TOKEN authorizer's decision for the same token, and so how long
 * a revoked or expired token can still be accepted: one value for the CDK stack's authorizer and
 * the local gateway's cache (docs/api.md, Authentication).
 */
export const AUTHORIZER_CACHE_TTL_SECONDS = 60;
