import { lookup } from 'node:dns/promises';
import { createServer, isIP, type Server } from 'node:net';
import {
  describeListenFailure,
  type ListenFailure,
  type ListenFailureCause,
} from '../failure/failure.js';

/** The listening address could not be taken; the message is the sentence of its cause. */
export class ListenError extends Error {
  readonly failure: ListenFailure;

  constructor(readonly cause: ListenFailureCause) {
    const failure = describeListenFailure(cause);
    super(failure.sentence);
    this.failure = failure;
  }
}

/** The address clients reach first when they connect to "localhost" over IPv6. */
const IPV6_LOOPBACK = '::1';
/** A free port picked by the OS may be held on [::1] by another program: try a few others. */
const RANDOM_PORT_ATTEMPTS = 10;

/**
 * Every address `host` stands for: itself if it is an IP address, else all its DNS addresses
 * (`localhost` is 127.0.0.1 and ::1 on most machines), so that a client reaches the tunnel
 * whichever of them it tries first.
 */
export async function addressesOf(host: string): Promise<string[]> {
  if (isIP(host)) {
    return [host];
  }
  try {
    const found = await lookup(host, { all: true, verbatim: true });
    return [...new Set(found.map((entry) => entry.address))];
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ListenError({ kind: 'host-not-found', host, reason });
  }
}

/**
 * Listens with one server per address of `host`, all on the same port: `port`, or with 0 a free
 * one. On 127.0.0.1, a port another program holds on [::1] is refused too (clients that try ::1
 * first for localhost, as on macOS and Windows, would reach that program); with port 0 another
 * port is tried instead. Resolves with the servers, listening; rejects with a ListenError.
 */
export async function listenOnHost(
  host: string,
  port: number,
  makeServer: () => Server,
): Promise<Server[]> {
  const addresses = await addressesOf(host);
  for (let attempt = 1; ; attempt++) {
    const servers: Server[] = [];
    try {
      let bound = port;
      for (const address of addresses) {
        const server = makeServer();
        servers.push(server);
        bound = await listenOn(server, address, bound);
      }
      if (
        addresses.length === 1 &&
        addresses[0] === '127.0.0.1' &&
        (await heldOn(IPV6_LOOPBACK, bound))
      ) {
        throw new ListenError({ kind: 'port-in-use-ipv6', port: bound });
      }
      return servers;
    } catch (error) {
      await Promise.all(servers.map(closeServer));
      const inUse =
        error instanceof ListenError &&
        (error.cause.kind === 'port-in-use' || error.cause.kind === 'port-in-use-ipv6');
      if (!(inUse && port === 0 && attempt < RANDOM_PORT_ATTEMPTS)) {
        throw error;
      }
    }
  }
}

/** Listens on address:port; resolves with the port bound. */
function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new ListenError(
          error.code === 'EADDRINUSE'
            ? { kind: 'port-in-use', host, port }
            : error.code === 'EACCES'
              ? { kind: 'listen-denied', host, port }
              : error.code === 'EADDRNOTAVAIL'
                ? { kind: 'address-not-local', host }
                : { kind: 'listen-failed', host, port, reason: error.message },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host, port, ipv6Only: isIP(host) === 6 }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Whether another program listens on host:port (false when the address does not exist here). */
function heldOn(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}
