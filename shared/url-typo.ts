/**
 * Pasted values that are meant to be a Postgres URL but are not one because of a typo
 * (`postgres//app:s3cret@host/db`, a colon missing; `postgresql:/…`; `postgres:\\…`). Taken for
 * an API key, such a value would carry its password to a tunnel gateway as a bearer token, so
 * every reader of keys (the window, the CLI, the RPC) asks about it first.
 */

/** A Postgres or Prisma Postgres scheme, then anything but a well-formed `://`. */
const TYPOED_URL = /^(prisma\+postgres|postgresql|postgres)([:;]?[/\\]*)(.+)$/i;

/**
 * The URL `text` most likely meant, with its password or key masked (`postgres://app:****@host/db`),
 * when `text` is a Postgres URL with a typo in its `scheme://`; undefined otherwise.
 */
export function intendedPostgresUrl(text: string): string | undefined {
  const match = TYPOED_URL.exec(text.trim());
  if (!match || match[2] === '' || match[2] === '://') {
    return undefined;
  }
  return `${match[1]!.toLowerCase()}://${maskUrlPassword(match[3]!)}`;
}

/** `rest` (what follows `scheme://`) with the password of its user info, `password=` and `api_key=` masked. */
function maskUrlPassword(rest: string): string {
  const at = rest.lastIndexOf('@');
  const colon = rest.indexOf(':');
  const masked =
    at > 0 && colon >= 0 && colon < at ? `${rest.slice(0, colon)}:****${rest.slice(at)}` : rest;
  return masked.replace(/([?&](?:password|api_key)=)[^&]*/gi, '$1****');
}

/**
 * The sentence for a typo'd Postgres URL given where an API key was expected, or undefined when
 * `text` is not one. It never repeats the password.
 */
export function urlTypoProblem(text: string, source: string): string | undefined {
  const intended = intendedPostgresUrl(text);
  return intended === undefined
    ? undefined
    : `${source}: this looks like a postgres:// URL with a typo — did you mean ${intended}?`;
}
