import { createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A plain TCP listener standing in for a gateway or a database that must not be reached: it
 * records every byte anyone sends it and answers nothing. A test asserts it received nothing.
 */
export interface CaptureServer {
  port: number;
  /** ws://127.0.0.1:PORT/websocket: where a tunnel profile would send its key. */
  wsUrl: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Everything received so far, from every connection, as latin1 text. */
  received(): string;
  close(): Promise<void>;
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}/websocket`,
    get connections() {
      return connections;
    },
    received: () => Buffer.concat(chunks).toString('latin1'),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
