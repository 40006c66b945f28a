/**
 * A deliverable-looking single mailbox address: `local@domain.tld`, no display name, no spaces,
 * no CR/LF (so it can never carry a mail header), within RFC 5321's length limits.
 */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Decides `Invalid customer email address`, and guards every address the MIME writer puts in a header. */
export function isValidEmailAddress(address: string | undefined): address is string {
  if (address === undefined || address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at < 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return false;
  const labels = domain.split('.');
  const tld = labels.at(-1) ?? '';
  return (
    labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label)) && /^[A-Za-z]{2,63}$/.test(tld)
  );
}

const ADDRESS_IN_TEXT = /[^\s<>()"',;:]+@[^\s<>()"',;:]+/g;

/** Reasons are stored and logged; an SES message may quote an address, which logs must not hold. */
export const redactAddresses = (text: string) => text.replace(ADDRESS_IN_TEXT, '<address>');
