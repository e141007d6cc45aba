/** Where a tunnel session is, read from the server's ReadyForQuery messages. */
export type SessionState = 'starting' | 'idle' | 'active' | 'in-transaction' | 'failed';

/** One client connection through a tunnel, as the registry reports it. */
export interface SessionInfo {
  id: string;
  /** host:port of the local client. */
  clientAddress: string;
  user: string;
  database: string;
  applicationName: string;
  /** The upstream backend's process id, from BackendKeyData; null until the login completes. */
  backendPid: number | null;
  /** Epoch milliseconds. */
  openedAt: number;
  lastActivityAt: number;
  bytesFromClient: number;
  bytesToClient: number;
  state: SessionState;
}
