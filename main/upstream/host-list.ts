import type { Socket } from 'node:net';
import { serialize } from 'pg-protocol';
import type { SessionAttrs } from '../../shared/direct-upstream.js';
import { BackendMessage } from '../pgwire/codes.js';
import { FrameReader } from '../pgwire/frame-reader.js';
import type { UpstreamConnection } from './connection.js';
import { addressOf, type UpstreamTarget } from './target.js';
import { UpstreamError } from './upstream-error.js';

/** What a server is, as target_session_attrs asks it. */
interface ServerState {
  readOnly: boolean;
  standby: boolean;
}

/**
 * Connects to the first of the target's hosts that can be reached and logged in to and that is
 * what target_session_attrs asks for, as libpq does (fe-connect.c, PQconnectPoll): the hosts in
 * order, or shuffled with load_balance_hosts=random; each with a deadline of its own (`connect`
 * is one host's connectUpstream); prefer-standby makes a second pass taking any server. A server
 * that does not fit is left with a Terminate.
 *
 * @throws UpstreamError: the last host's failure, `client-gone` at once, or `no-suitable-server`
 *   when servers were reached and none fit.
 */
export async function connectToHosts(
  target: UpstreamTarget,
  connect: (host: UpstreamTarget) => Promise<UpstreamConnection>,
): Promise<UpstreamConnection> {
  const hosts = hostsOf(target);
  const attrs = target.targetSessionAttrs ?? 'any';
  const passes: SessionAttrs[] = attrs === 'prefer-standby' ? ['standby', 'any'] : [attrs];
  const unsuitable: string[] = [];
  let failure: unknown;
  for (const wanted of passes) {
    for (const host of hosts) {
      let connection: UpstreamConnection;
      try {
        connection = await connect(host);
      } catch (error) {
        if (error instanceof UpstreamError && error.cause.kind === 'client-gone') {
          throw error;
        }
        failure = error;
        continue;
      }
      if (wanted === 'any') {
        return connection;
      }
      const state = await stateOf(connection);
      if (fits(state, wanted)) {
        return connection;
      }
      connection.socket.end(serialize.end());
      unsuitable.push(
        `${addressOf(host)} is ${state.standby ? 'a standby' : state.readOnly ? 'read-only' : 'a read-write primary'}`,
      );
    }
  }
  if (unsuitable.length > 0) {
    throw new UpstreamError({
      kind: 'no-suitable-server',
      wanted: attrs,
      found: unsuitable,
      by: target.by,
    });
  }
  throw failure;
}

/** The target once per host of its list, in libpq's order. */
export function hostsOf(target: UpstreamTarget): UpstreamTarget[] {
  if (!target.hosts) {
    return [target];
  }
  const list = target.hosts.map(({ host, port, hostaddr }) => {
    const { hostaddr: _first, ...rest } = target;
    return { ...rest, host, port, ...(hostaddr ? { hostaddr } : {}) };
  });
  if (target.loadBalanceHosts === 'random') {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  }
  return list;
}

function fits(state: ServerState, wanted: SessionAttrs): boolean {
  switch (wanted) {
    case 'any':
      return true;
    case 'read-write':
      return !state.readOnly && !state.standby;
    case 'read-only':
      return state.readOnly || state.standby;
    case 'primary':
      return !state.standby;
    case 'standby':
    case 'prefer-standby':
      return state.standby;
  }
}

/**
 * The server's state from the ParameterStatus it sent at login (in_hot_standby and
 * default_transaction_read_only, reported since Postgres 14), or, from an older server, by a
 * query whose answer is read here and never reaches the client.
 */
async function stateOf(connection: UpstreamConnection): Promise<ServerState> {
  const reported = reportedParameters(connection.firstBytes);
  const standby = reported.get('in_hot_standby');
  if (standby !== undefined) {
    return {
      standby: standby === 'on',
      readOnly: reported.get('default_transaction_read_only') === 'on',
    };
  }
  const [recovery, readOnly] = await queryRow(
    connection.socket,
    "SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.current_setting('transaction_read_only')",
  );
  return { standby: recovery === 't', readOnly: readOnly === 'on' };
}

/** The ParameterStatus messages among `bytes` (a login's first messages), by name. */
function reportedParameters(bytes: Buffer): Map<string, string> {
  const reader = new FrameReader();
  reader.push(bytes);
  const parameters = new Map<string, string>();
  for (let frame = reader.next(); frame; frame = reader.next()) {
    if (frame.type === BackendMessage.ParameterStatus) {
      const [name, value] = frame.body.toString('utf8').split('\0');
      parameters.set(name!, value ?? '');
    }
  }
  return parameters;
}

/**
 * Runs `sql` (one row expected) on the paused socket and resolves with the row's text values once
 * the server is ready again; leaves the socket paused.
 */
function queryRow(socket: Socket, sql: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const reader = new FrameReader();
    let row: string[] = [];
    const onData = (chunk: Buffer): void => {
      reader.push(chunk);
      for (let frame = reader.next(); frame; frame = reader.next()) {
        if (frame.type === BackendMessage.DataRow) {
          row = dataRowValues(frame.body);
        } else if (frame.type === BackendMessage.ReadyForQuery) {
          socket.off('data', onData);
          socket.off('close', onClose);
          socket.pause();
          resolve(row);
          return;
        }
      }
    };
    const onClose = (): void => reject(new Error('the server closed the connection'));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(serialize.query(sql));
    socket.resume();
  });
}

/** A DataRow's columns as text (null as ''). */
function dataRowValues(body: Buffer): string[] {
  const count = body.readInt16BE(0);
  const values: string[] = [];
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    values.push(length < 0 ? '' : body.toString('utf8', offset, offset + length));
    offset += Math.max(length, 0);
  }
  return values;
}
