/**
 * Content negotiation with jshttp's `negotiator` (Accept, RFC 9110 §12.5.1) and `content-type`
 * (Content-Type, RFC 9110 §8.3): the header grammars are theirs, the choice of formats is ours.
 */
import contentType from 'content-type';
import Negotiator from 'negotiator';

/** The two representations the API speaks, as KashFlow's REST v2 does. */
export type ResponseFormat = 'json' | 'xml';

/** The canonical media type of each format, offered first (JSON before XML on a tie). */
const CANONICAL: Record<string, ResponseFormat> = {
  'application/json': 'json',
  'application/xml': 'xml',
};

/** Older names of the same formats, offered only when the client names them (or `text/*`). */
const ALIASES: Record<string, ResponseFormat> = {
  'text/json': 'json',
  'text/xml': 'xml',
};

const MEDIA_TYPES: Record<string, ResponseFormat> = { ...CANONICAL, ...ALIASES };

/** The Content-Type of each format, always with `charset=utf-8`: the only encoding the API writes. */
export const CONTENT_TYPES: Record<ResponseFormat, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

/**
 * Chooses the response format from an `Accept` header: JSON when it is absent or allows anything,
 * XML when it prefers `application/xml` or `text/xml`, `undefined` when it allows neither (406).
 *
 * A format is one representation whatever its name: `application/json;q=0, *\/*` refuses JSON,
 * so the `text/json` alias must not bring it back through the wildcard. The aliases are offered
 * only when the client names them, or names `text/*`.
 */
export function negotiateFormat(accept: string | undefined): ResponseFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const negotiator = new Negotiator({ headers: { accept } });
  const named = new Set(negotiator.mediaTypes().map((range) => range.toLowerCase()));
  const aliases = Object.keys(ALIASES).filter((alias) => named.has(alias) || named.has('text/*'));
  const chosen = negotiator.mediaType([...Object.keys(CANONICAL), ...aliases]);
  return chosen === undefined ? undefined : MEDIA_TYPES[chosen.toLowerCase()];
}

/** The format of a request body from its `Content-Type`; 'unsupported' when it is not one we read. */
export function requestBodyFormat(headerValue: string | undefined): ResponseFormat | 'unsupported' {
  if (headerValue === undefined || headerValue.trim() === '') return 'json';
  let parsed: contentType.ParsedMediaType;
  try {
    parsed = contentType.parse(headerValue);
  } catch {
    return 'unsupported';
  }
  const charset = parsed.parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return 'unsupported';
  return MEDIA_TYPES[parsed.type] ?? 'unsupported';
}
