import { getTokenRecord, hashToken } from '../aws/dynamodb-tokens.ts';

/** `Authorization: KfToken <token>` (KashFlow's scheme) or `Bearer <token>`; the scheme in any case. */
const AUTHORIZATION = /^(?:KfToken|Bearer) +([\x21-\x7E]{1,512})$/i;

/** The token in an Authorization header value; `undefined` when the header is not one we accept. */
export function tokenFromAuthorization(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return AUTHORIZATION.exec(authorization.trim())?.[1];
}

/**
 * The tenant an Authorization header belongs to, or `undefined` for a missing, malformed, unknown,
 * revoked or expired token.
 */
export async function tenantForAuthorization(
  authorization: string | undefined,
  now: Date,
): Promise<string | undefined> {
  const token = tokenFromAuthorization(authorization);
  if (token === undefined) return undefined;
  const record = await getTokenRecord(hashToken(token));
  if (record === undefined || record.revoked === true) return undefined;
  if (record.expiresAt !== undefined && record.expiresAt * 1000 <= now.getTime()) return undefined;
  return record.tenantId;
}
