import { useEffect, useState } from 'react';
import type { LogEntry } from '../../../../shared/tunnel-state.js';
import { useBridge } from '../../app/bridge-context.js';

/** How many of the latest events are shown. */
const SHOWN = 8;
const TIME = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The tunnel's recent events, newest first; read again whenever the core records another. */
export function ActivityLog({ profileId, version }: { profileId: string; version: number }) {
  const bridge = useBridge();
  const [entries, setEntries] = useState<LogEntry[]>([]);

  useEffect(() => {
    let live = true;
    bridge.getLog(profileId).then(
      (log) => live && setEntries(log.slice(-SHOWN).reverse()),
      () => undefined, // the log is a nicety: a failure to read it shows no error of its own
    );
    return () => {
      live = false;
    };
  }, [bridge, profileId, version]);

  return (
    <section className="panel" aria-labelledby="activity-title">
      <h2 className="section-title" id="activity-title">
        Activity
      </h2>
      {entries.length === 0 ? (
        <p className="empty-note">Nothing yet.</p>
      ) : (
        <ol className="activity-log">
          {entries.map((entry, index) => (
            <li key={`${entry.at}-${index}`} data-level={entry.level}>
              <time dateTime={new Date(entry.at).toISOString()}>{TIME.format(entry.at)}</time>
              <span className="activity-message">{entry.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
