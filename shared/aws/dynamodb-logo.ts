/**
 * The tenant's logo, read by the worker only (the PDF and the HTML show it): a module of its own,
 * so that the API's dry run, which never shows a logo, does not bundle the image checks.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import { logger } from '../observability/powertools.ts';
import { inspectLogo, LogoImageError } from '../schemas/logo-image.ts';
import type { StatementLogo, TenantRecord } from '../schemas/records.ts';
import { documentClient } from './dynamodb.ts';
import { logoKey } from './table-keys.ts';

/** True when the stored logo is one the settings accept now; else a warning names the rule it breaks. */
function isUsableLogo(contentType: StatementLogo['contentType'], bytes: Uint8Array): boolean {
  try {
    inspectLogo(contentType, bytes);
    return true;
  } catch (error) {
    if (!(error instanceof LogoImageError)) throw error;
    logger.warn('Stored logo left off the statement', { reason: `Logo.Data ${error.message}` });
    return false;
  }
}

/** Logos by tenant and digest: a container reads a tenant's logo once per version, not once per statement. */
const logos = new Map<string, StatementLogo | undefined>();

/**
 * The tenant's logo (its `LOGO` item, up to 64 KB: 16 read units consistent), when its settings
 * have one; cached by the logo's SHA-256, so that a new logo is read at once and an unchanged one
 * once per container. A stored logo that breaks the settings' image rule (logo-image.ts; one set
 * before the rule) is left off the PDF and the HTML alike, with a warning: the statement is sent.
 */
export async function getLogo(tenant: TenantRecord): Promise<StatementLogo | undefined> {
  if (tenant.logoContentType === undefined) return undefined;
  const cacheKey = `${tenant.tenantId}#${tenant.logoSha256 ?? ''}`;
  if (tenant.logoSha256 !== undefined && logos.has(cacheKey)) return logos.get(cacheKey);
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: TABLE_NAME, Key: logoKey(tenant.tenantId), ConsistentRead: true }),
  );
  const logo =
    Item === undefined ||
    !(Item.data instanceof Uint8Array) ||
    !isUsableLogo(tenant.logoContentType, Item.data)
      ? undefined
      : { contentType: tenant.logoContentType, bytes: Item.data };
  if (tenant.logoSha256 !== undefined) logos.set(cacheKey, logo);
  return logo;
}
