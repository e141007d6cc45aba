import type { Socket } from 'node:net';

/** A database connection that has logged in for a client (connectUpstream's result). */
export interface UpstreamConnection {
  /** Paused; the caller resumes it once it listens for data. TLS when the login used it. */
  socket: Socket;
  /**
   * What the client is to receive first, up to the first ReadyForQuery: the upstream's
   * NegotiateProtocolVersion if it sent one, AuthenticationOk, what followed it, the notice asked
   * for, ReadyForQuery (see logIn).
   */
  firstBytes: Buffer;
}
