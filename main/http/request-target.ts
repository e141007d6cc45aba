/**
 * Reads the request target of an HTTP request line (`req.url` in Node) without throwing.
 *
 * Node hands over the target exactly as the client wrote it, and `new URL` throws on many of them
 * (`http://[`, `//[`, `http://a%zz/`, `https://x:99999/`): an exception there, in a request or
 * upgrade handler, ends the whole process. So every listener reads its targets here.
 *
 * @param target the request target (`req.url`); `undefined` reads as `/`.
 * @returns the parsed URL (against a placeholder origin), or `undefined` when the target is not a
 *   URL; the caller then answers 400. RFC 9112 §3.2 lists the target forms.
 */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://request-target.invalid');
  } catch {
    return undefined;
  }
}
