import { connectionDetails, identityOf } from '../../../../shared/connection-details.js';
import type { ProfileView } from '../../../../shared/profile.js';
import type { TunnelState } from '../../../../shared/tunnel-state.js';
import { CopyField } from '../../components/copy-field.js';
import { OpenIn } from './open-in.js';
import { LocalLoginFields } from './local-login-fields.js';
import { VerifiedTlsFields } from './verified-tls-fields.js';

/**
 * How to connect: the same address in every form a client or a shell takes, and with TLS on, the
 * forms that verify it. A stopped tunnel that had a port keeps it, so its details are shown (and
 * stay valid) before it is started.
 */
export function ConnectionSection({
  profile,
  state,
}: {
  profile: ProfileView;
  state: TunnelState | undefined;
}) {
  const host = state?.host ?? profile.host;
  const port = state?.port ?? profile.port;
  return (
    <section className="panel" aria-labelledby="connection-title">
      <h2 className="section-title" id="connection-title">
        Connect
      </h2>
      {port === null ? (
        <p className="empty-note">Start the tunnel to get its port; it is kept from then on.</p>
      ) : (
        <>
          {profile.localLogin && <LocalLoginFields host={host} port={port} profile={profile} />}
          <ConnectionFields host={host} port={port} profile={profile} />
          {profile.tls && (
            <VerifiedTlsFields host={host} port={port} identity={identityOf(profile)} />
          )}
        </>
      )}
    </section>
  );
}

function ConnectionFields({
  host,
  port,
  profile,
}: {
  host: string;
  port: number;
  profile: ProfileView;
}) {
  const details = connectionDetails(host, port, profile.name, identityOf(profile));
  return (
    <>
      <CopyField label="URL" value={details.url} long />
      <OpenIn url={details.url} />
      <CopyField label="psql" value={details.psql} long />
      <CopyField label="Host" value={details.host} />
      <CopyField label="Port" value={details.port} />
      <details className="more-formats">
        <summary>JDBC, environment and pg_service.conf</summary>
        <CopyField label="JDBC URL" value={details.jdbc} long />
        <CopyField label="Environment" value={details.env} long />
        <CopyField label="pg_service.conf" value={details.pgService} long />
      </details>
    </>
  );
}
