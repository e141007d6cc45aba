import { TcpRelay } from '../main/testing/tcp-relay.js';

/**
 * The network of `--rtt`: a TCP relay on 127.0.0.1 that holds every chunk for half the round trip
 * in each direction, keeping order and capping no bandwidth (see TcpRelay). A process of its own,
 * so that its timers are not kept waiting by the benchmark's clients. Prints `listening on PORT`.
 *
 * Usage: tsx bench/delay-relay.ts TARGET_PORT RTT_MS
 */
const [targetPort, rttMs] = process.argv.slice(2).map(Number);
if (!Number.isInteger(targetPort) || targetPort! <= 0 || !(rttMs! >= 0)) {
  console.error('usage: delay-relay.ts TARGET_PORT RTT_MS');
  process.exit(2);
}
const relay = await TcpRelay.start(targetPort!, { delayMs: rttMs! / 2 });
console.log(`listening on ${relay.port}`);
process.on('SIGTERM', () => process.exit(0));
