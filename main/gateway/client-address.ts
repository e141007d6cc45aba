import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * The proxies whose X-Forwarded-For and Forwarded headers the gateway believes: CIDRs
 * ("10.0.0.0/8", "2001:db8::/32") or single addresses, IPv4 or IPv6.
 *
 * @throws Error naming the entry when one is neither (the config reader turns it into a sentence).
 */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, ...more] = entry.trim().split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (
      family === 0 ||
      more.length > 0 ||
      !Number.isInteger(bits) ||
      bits < 0 ||
      bits > (family === 6 ? 128 : 32)
    ) {
      throw new Error(`"${entry}" is not an IP address or CIDR (such as 10.0.0.0/8)`);
    }
    list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Whether `address` (IPv4, IPv6, or IPv4-mapped IPv6) is in `list`. */
function isTrusted(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const plain = mapped ?? address;
  const family = isIP(plain);
  return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The hops a request passed, first (the client as the first proxy saw it) to last, from
 * X-Forwarded-For, or, when it is absent, from the `for=` parameters of Forwarded (RFC 7239 §5.2,
 * quotes, brackets and ports removed). Every instance of the header counts, in order.
 */
function forwardedHops(req: IncomingMessage): string[] {
  const joined = (name: string): string => {
    const value = req.headers[name];
    return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
  };
  const xff = joined('x-forwarded-for');
  if (xff) {
    return xff.split(',').map((hop) => hop.trim());
  }
  return [...joined('forwarded').matchAll(/(?:^|[;,\s])for=("[^"]*"|[^;,\s]*)/gi)].map((match) => {
    const value = match[1]!.replace(/^"|"$/g, '');
    const bracketed = /^\[([^\]]*)\]/.exec(value)?.[1];
    return bracketed ?? (isIP(value) ? value : value.replace(/:\d+$/, ''));
  });
}

/**
 * The address a request came from, as `host` (for counting) and `display` (for logs, with the
 * port when it is the peer's). The socket's address, unless that is a trusted proxy: then the
 * forwarded hops are read from the right, skipping trusted proxies, and the first address not
 * trusted is the client (as nginx's real_ip_recursive does), so that whatever a client writes in
 * the header itself, left of what its proxies added, is never believed. With no trusted proxies
 * the headers are ignored.
 */
export function clientAddressOf(
  req: IncomingMessage,
  trustedProxies: BlockList,
): { host: string; display: string } {
  const peer = req.socket.remoteAddress ?? 'unknown';
  let client: string | undefined;
  if (isTrusted(trustedProxies, peer)) {
    for (const hop of forwardedHops(req).reverse()) {
      if (isIP(hop) === 0) {
        break; // not an address: nothing left of it can be believed either
      }
      client = hop;
      if (!isTrusted(trustedProxies, hop)) {
        break;
      }
    }
  }
  return client === undefined
    ? { host: peer, display: `${peer}:${req.socket.remotePort}` }
    : { host: client, display: client };
}
