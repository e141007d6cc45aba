import { useEffect, useState } from 'react';
import { localLoginDetails, identityOf } from '../../../../shared/connection-details.js';
import type { ProfileView } from '../../../../shared/profile.js';
import { useBridge } from '../../app/bridge-context.js';
import { CopyField } from '../../components/copy-field.js';

/**
 * The local port's own password and the details that log in with it, for a profile with a local
 * login: read from the keychain when shown (made there on first use), never kept in the window's
 * state beyond this section.
 */
export function LocalLoginFields({
  host,
  port,
  profile,
}: {
  host: string;
  port: number;
  profile: ProfileView;
}) {
  const bridge = useBridge();
  const [password, setPassword] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    bridge.getLocalPassword(profile.id).then(
      (saved) => live && setPassword(saved),
      (error: Error) => live && setProblem(error.message),
    );
    return () => {
      live = false;
    };
  }, [bridge, profile.id]);

  if (problem) {
    return (
      <p className="form-error" role="alert">
        The local password could not be read: {problem}
      </p>
    );
  }
  if (password === null) {
    return null;
  }
  const details = localLoginDetails(host, port, password, profile.tls, identityOf(profile));
  return (
    <div className="local-login" aria-label="Local login">
      <p className="empty-note">
        This port asks a password of its own: clients log in with it
        {profile.tls ? ', with channel binding over TLS' : ''}.
      </p>
      <CopyField label="Local password" value={details.password} />
      <CopyField label="URL with password" value={details.url} long />
      <CopyField label="psql with password" value={details.psql} long />
    </div>
  );
}
