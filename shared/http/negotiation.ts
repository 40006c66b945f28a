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

/** One range of an Accept header: its media type, and its `q` parameter as written (if any). */
interface AcceptRange {
  type: string;
  quality: string | undefined;
}

/**
 * The ranges of an Accept header with every parameter but `q` dropped. negotiator matches a range
 * that carries parameters (`application/json; charset=utf-8`, `; version=2`) only against an offer
 * with the same parameters, which would refuse what clients commonly send; the formats here have
 * no parameters that could be asked for.
 */
function acceptRanges(accept: string): AcceptRange[] {
  return accept
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((piece) => piece.trim());
      return { type: type.toLowerCase(), quality: params.find((param) => /^q\s*=/i.test(param)) };
    })
    .filter((range) => range.type !== '');
}

/**
 * Chooses the response format from an `Accept` header: JSON when it is absent or allows anything,
 * XML when it prefers `application/xml` or `text/xml`, `undefined` when it allows neither (406).
 *
 * A format is one representation whatever its name: a client that refuses one of its names
 * (`application/json;q=0`, `text/json;q=0`) refuses the format, so no other name of it comes back
 * through a wildcard. The aliases are offered only when the client names them, or `text/*`.
 */
export function negotiateFormat(accept: string | undefined): ResponseFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = acceptRanges(accept);
  const negotiator = new Negotiator({
    headers: {
      accept: ranges
        .map(({ type, quality }) => (quality === undefined ? type : `${type};${quality}`))
        .join(', '),
    },
  });
  const named = new Set(ranges.map((range) => range.type));
  // A name the client lists that negotiator finds unacceptable was given q=0 by the client.
  const refused = new Set(
    Object.entries(MEDIA_TYPES)
      .filter(([name]) => named.has(name) && negotiator.mediaTypes([name]).length === 0)
      .map(([, format]) => format),
  );
  const offers = [
    ...Object.keys(CANONICAL),
    ...Object.keys(ALIASES).filter((alias) => named.has(alias) || named.has('text/*')),
  ].filter((name) => !refused.has(MEDIA_TYPES[name] as ResponseFormat));
  const chosen = negotiator.mediaType(offers);
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
