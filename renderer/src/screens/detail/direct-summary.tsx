import { hostPort } from '../../../../shared/connection-details.js';
import { unverifiedServerWarning } from '../../../../shared/direct-upstream.js';
import type { ProfileView } from '../../../../shared/profile.js';

/**
 * A direct profile's database: where PG Tunnel logs in and as whom, and, when nothing checks
 * that server's certificate, the warning the form shows too.
 */
export function DirectSummary({ profile }: { profile: ProfileView }) {
  const upstream = profile.upstream;
  if (profile.kind !== 'direct' || !upstream) {
    return null;
  }
  const warning = unverifiedServerWarning(upstream);
  return (
    <>
      <p className="muted">
        Logs in to{' '}
        <span className="detail-address">
          {upstream.user}@{hostPort(upstream.host, upstream.port)}/{upstream.database}
        </span>{' '}
        (sslmode={upstream.sslmode})
      </p>
      {warning && (
        <p className="form-warning" role="note">
          {warning}
        </p>
      )}
    </>
  );
}
