import { useState } from 'react';
import type { SessionInfo } from '../../../../shared/session.js';
import { useBridge } from '../../app/bridge-context.js';
import { useAction } from '../../hooks/use-action.js';
import { useNow } from '../../hooks/use-now.js';
import { SessionRow } from './session-row.js';
import './sessions-table.css';

/** The live sessions of a tunnel; durations tick every second while any is open. */
export function SessionsTable({
  profileId,
  sessions,
  listening,
}: {
  profileId: string;
  sessions: SessionInfo[];
  listening: boolean;
}) {
  const bridge = useBridge();
  const now = useNow(sessions.length > 0);
  const [disconnecting, setDisconnecting] = useState<ReadonlySet<string>>(new Set());
  const disconnect = useAction(async (sessionId: string) => {
    setDisconnecting((ids) => new Set(ids).add(sessionId));
    try {
      return await bridge.killSession(profileId, sessionId);
    } finally {
      setDisconnecting((ids) => {
        const next = new Set(ids);
        next.delete(sessionId);
        return next;
      });
    }
  });

  return (
    <section className="panel" aria-labelledby="sessions-title">
      <h2 className="section-title" id="sessions-title">
        Sessions <span>{sessions.length}</span>
      </h2>
      {sessions.length === 0 ? (
        <p className="empty-note">
          {listening
            ? 'No client is connected. Copy the URL above into psql or your database tool.'
            : 'Sessions appear here while the tunnel runs.'}
        </p>
      ) : (
        <table role="table" className="sessions-table" aria-labelledby="sessions-title">
          <thead className="sr-only" role="rowgroup">
            <tr role="row">
              <th role="columnheader" scope="col">
                User and database
              </th>
              <th role="columnheader" scope="col">
                Application
              </th>
              <th role="columnheader" scope="col">
                Client
              </th>
              <th role="columnheader" scope="col">
                State
              </th>
              <th role="columnheader" scope="col">
                Open for
              </th>
              <th role="columnheader" scope="col">
                Bytes sent by the client
              </th>
              <th role="columnheader" scope="col">
                Bytes received by the client
              </th>
              <th role="columnheader" scope="col">
                Action
              </th>
            </tr>
          </thead>
          <tbody role="rowgroup">
            {sessions.map((session) => (
              <SessionRow
                key={session.id}
                session={session}
                now={now}
                disconnecting={disconnecting.has(session.id)}
                onDisconnect={() => void disconnect.run(session.id)}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
