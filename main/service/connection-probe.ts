import { connect } from 'node:net';
import { serialize } from 'pg-protocol';
import { BackendMessage } from '../pgwire/codes.js';
import { decodeErrorFields } from '../pgwire/error-response.js';
import { FrameReader } from '../pgwire/frame-reader.js';
import { encodeStartupMessage } from '../pgwire/startup.js';
import type { TestResult } from '../../shared/tunnel-state.js';

const PROBE_TIMEOUT_MS = 15_000;

/**
 * "Test connection": one session through the local port, as any client would open it, running
 * `select 1`. Reports the round trip of the query and the server's version, or the sentence the
 * tunnel or the database answered with.
 */
export function probeConnection(host: string, port: number): Promise<TestResult> {
  return new Promise((resolve) => {
    const reader = new FrameReader();
    let serverVersion = '';
    let queriedAt = 0;
    const socket = connect({ host, port, noDelay: true });
    let done = false;
    const finish = (result: TestResult): void => {
      if (done) {
        return;
      }
      done = true;
      socket.end(serialize.end());
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () =>
      finish({ ok: false, error: `no answer within ${PROBE_TIMEOUT_MS / 1000} s` }),
    );
    socket.on('error', (error) =>
      finish({ ok: false, error: `the tunnel is not reachable: ${error.message}` }),
    );
    socket.on('close', () =>
      finish({ ok: false, error: 'the connection closed before the query finished' }),
    );
    socket.on('connect', () =>
      socket.write(
        encodeStartupMessage({
          user: 'postgres',
          database: 'postgres',
          application_name: 'pg-tunnel test',
        }),
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let frame = reader.next(); frame; frame = reader.next()) {
        if (frame.type === BackendMessage.ErrorResponse) {
          finish({ ok: false, error: decodeErrorFields(frame.body).message });
          return;
        }
        if (frame.type === BackendMessage.ParameterStatus) {
          const [name, value] = frame.body.toString('utf8').split('\0');
          if (name === 'server_version') {
            serverVersion = value ?? '';
          }
        }
        if (frame.type === BackendMessage.ReadyForQuery) {
          if (queriedAt === 0) {
            queriedAt = performance.now();
            socket.write(serialize.query('select 1'));
          } else {
            finish({
              ok: true,
              roundTripMs: Math.round((performance.now() - queriedAt) * 10) / 10,
              serverVersion,
            });
            return;
          }
        }
      }
    });
  });
}
