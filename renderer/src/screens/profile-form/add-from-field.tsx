import { useEffect, useState } from 'react';
import type { ConnectionSource } from '../../../../shared/rpc.js';
import { useBridge } from '../../app/bridge-context.js';

/**
 * "Add from…": the services of the connection service files and the entries of the password
 * file, as the core found them; picking one hands its connection string (no password) to
 * `onPick`. Shows nothing when there are none.
 */
export function AddFromField({ onPick }: { onPick: (source: ConnectionSource) => void }) {
  const bridge = useBridge();
  const [sources, setSources] = useState<ConnectionSource[]>([]);

  useEffect(() => {
    let live = true;
    bridge.listConnectionSources().then(
      (found) => live && setSources(found),
      () => undefined, // a nicety: without it, the paste field is still there
    );
    return () => {
      live = false;
    };
  }, [bridge]);

  if (sources.length === 0) {
    return null;
  }
  return (
    <div className="form-field">
      <label className="form-label" htmlFor="add-from">
        Add from…
      </label>
      <select
        id="add-from"
        name="addFrom"
        className="input"
        value=""
        aria-describedby="add-from-hint"
        onChange={(e) => {
          const source = sources.find((s) => s.id === e.target.value);
          if (source) {
            onPick(source);
          }
        }}
      >
        <option value="">A service or a password file entry</option>
        {sources.map((source) => (
          <option key={source.id} value={source.id}>
            {source.label}
          </option>
        ))}
      </select>
      <p className="form-hint" id="add-from-hint">
        From your pg_service.conf and .pgpass: the fields are filled in, and a password there goes
        to the OS keychain when you add the tunnel.
      </p>
    </div>
  );
}
