import { isIP } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/**
 * The last TLS session (ticket) each gateway address gave, offered again on the next dial there:
 * a resumed handshake skips sending and verifying the certificate chain (with TLS 1.2, a round
 * trip too). A gateway that cannot resume (restarted, another instance behind a load balancer
 * without shared ticket keys) simply does a full handshake. One cache per tunnel.
 */
export class TlsSessionCache {
  private readonly sessions = new Map<string, Buffer>();

  /**
   * `tls.connect` for ws's `createConnection`: with the address's last session, keeping the ones
   * the server sends (TLS 1.3 sends them after the handshake, Node emits each as 'session').
   * SNI as ws sets it: the host name, none for an IP address. ws passes the request's options,
   * whose `path` is the URL's: for tls.connect a path means a Unix socket, so it is dropped.
   */
  readonly connect = (options: ConnectionOptions): TLSSocket => {
    const host = options.host ?? 'localhost';
    const servername = options.servername ?? (isIP(host) ? '' : host);
    const address = `${host}:${options.port ?? ''}:${servername}`;
    const socket = connect({
      ...options,
      path: undefined,
      servername,
      session: this.sessions.get(address),
    });
    socket.on('session', (session: Buffer) => this.sessions.set(address, session));
    return socket;
  };
}
