/** The two representations the API speaks, as KashFlow's REST v2 does. */
export type ResponseFormat = 'json' | 'xml';

const MEDIA_TYPES: Record<string, ResponseFormat> = {
  'application/json': 'json',
  'text/json': 'json',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

export const CONTENT_TYPES: Record<ResponseFormat, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

interface MediaRange {
  type: string;
  quality: number;
  order: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part, order) => {
      const [type = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
      const q = params.find((param) => param.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { type, quality: Number.isFinite(quality) ? quality : 0, order };
    })
    .filter((range) => range.type !== '');
}

function specificity(range: string, mediaType: string): number {
  if (range === mediaType) return 3;
  const [type] = mediaType.split('/');
  if (range === `${type}/*`) return 2;
  if (range === '*/*') return 1;
  return 0;
}

/**
 * Chooses the response format from an `Accept` header: JSON when it is absent or allows anything,
 * XML when it prefers `application/xml` or `text/xml`, `undefined` when it allows neither (406).
 * Each offered media type takes the quality of the most specific range that matches it (RFC 9110).
 */
export function negotiateFormat(accept: string | undefined): ResponseFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = parseAccept(accept);
  let best: { format: ResponseFormat; quality: number; order: number } | undefined;
  for (const [mediaType, format] of Object.entries(MEDIA_TYPES)) {
    let match: { quality: number; order: number; specificity: number } | undefined;
    for (const range of ranges) {
      const score = specificity(range.type, mediaType);
      if (score > 0 && (match === undefined || score > match.specificity)) {
        match = { quality: range.quality, order: range.order, specificity: score };
      }
    }
    if (match === undefined || match.quality <= 0) continue;
    // Higher quality wins; on a tie, the range the client listed first; JSON is listed first here.
    if (
      best === undefined ||
      match.quality > best.quality ||
      (match.quality === best.quality && match.order < best.order)
    ) {
      best = { format, quality: match.quality, order: match.order };
    }
  }
  return best?.format;
}

/** The format of a request body from its `Content-Type`; `undefined` when it is not one we read. */
export function requestBodyFormat(contentType: string | undefined): ResponseFormat | 'unsupported' {
  if (contentType === undefined || contentType.trim() === '') return 'json';
  const [mediaType = '', ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const charset = params.find((param) => param.startsWith('charset='))?.slice('charset='.length);
  if (charset !== undefined && !['utf-8', 'utf8', '"utf-8"'].includes(charset)) return 'unsupported';
  return MEDIA_TYPES[mediaType] ?? 'unsupported';
}
