import { connect, createServer, type Socket } from 'node:net';

/**
 * A plain TCP relay on 127.0.0.1, for the benchmark's `relays` target: two of these chained in front
 * of Postgres cost what two extra Node processes on the path cost by themselves, with no WebSocket
 * and no protocol work. It prints `listening on PORT` once bound.
 *
 * Usage: tsx bench/tcp-relay.ts TARGET_PORT
 */
const targetPort = Number(process.argv[2]);
if (!Number.isInteger(targetPort) || targetPort <= 0) {
  console.error('usage: tcp-relay.ts TARGET_PORT');
  process.exit(2);
}

function relay(client: Socket): void {
  const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
  client.setNoDelay(true);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}

const server = createServer(relay);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : '?'}`);
});
process.on('SIGTERM', () => process.exit(0));
