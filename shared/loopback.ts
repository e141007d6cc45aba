/**
 * Loopback addresses and names: a port there is reachable from this machine only; anything else
 * exposes what listens on it to the network.
 */
export function isLoopbackHost(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host);
}
