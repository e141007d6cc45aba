import { createServer, type Server, type Socket } from 'node:net';

/**
 * Where a server that hangs stops answering a Postgres client: `silent` accepts TCP and never
 * says a word; `ssl-accepted` answers an SSLRequest `S` and never starts the TLS handshake;
 * `mid-login` answers an SSLRequest `N`, asks for a password after the StartupMessage, and never
 * answers the password.
 */
export type StallPoint = 'silent' | 'ssl-accepted' | 'mid-login';

export interface StallingServer {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections still open now: what a client that left must not leave behind. */
  readonly open: number;
  stop(): Promise<void>;
}

const SSL_REQUEST_LENGTH = 8;
/** AuthenticationCleartextPassword: 'R', length 8, request 3. */
const ASK_PASSWORD = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]);

/** Starts a server on 127.0.0.1 that stalls at `point` (see StallPoint) for every connection. */
export async function startStallingServer(point: StallPoint): Promise<StallingServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let received = 0;
    socket.on('data', (chunk) => {
      const before = received;
      received += chunk.length;
      if (point === 'ssl-accepted' && before === 0) {
        socket.write('S');
      } else if (point === 'mid-login' && before === 0) {
        socket.write('N');
      } else if (point === 'mid-login' && before === SSL_REQUEST_LENGTH) {
        socket.write(ASK_PASSWORD);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    stop: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
