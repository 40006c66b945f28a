/** SES refuses raw messages over 10 MB (10,485,760 bytes), encoding included. */
export const SES_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
