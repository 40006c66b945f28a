/** The one SHA-256 digest of the service: token and Idempotency-Key hashes, request fingerprints. */
import { createHash } from 'node:crypto';

/** The SHA-256 digest of a string's UTF-8 bytes, in lower-case hex. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
