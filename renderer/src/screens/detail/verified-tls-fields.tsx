import { useEffect, useState } from 'react';
import {
  verifiedConnectionDetails,
  type ClientIdentity,
} from '../../../../shared/connection-details.js';
import type { LocalCaCertificate } from '../../../../shared/rpc.js';
import { useBridge } from '../../app/bridge-context.js';
import { CopyField } from '../../components/copy-field.js';
import { useCopy } from '../../hooks/use-copy.js';

/** The name a saved copy of the CA certificate gets. */
const SAVED_NAME = 'pg-tunnel-local-ca.crt';

/**
 * For a tunnel with TLS: the same address for clients that verify it against the local CA
 * (verify-full), and the CA certificate itself for GUI clients that ask for a "root certificate":
 * its path to copy, its PEM to copy, or a file to save. Only the certificate reaches the window.
 * `identity` is the user and database the details name (see identityOf).
 */
export function VerifiedTlsFields({
  host,
  port,
  identity,
}: {
  host: string;
  port: number;
  identity: ClientIdentity;
}) {
  const ca = useLocalCa();
  if (ca.kind === 'loading') {
    return null;
  }
  if (ca.kind === 'failed') {
    return (
      <p className="form-error" role="alert">
        {ca.message}
      </p>
    );
  }
  const details = verifiedConnectionDetails(host, port, ca.certificate.path, identity);
  return (
    <details className="more-formats">
      <summary>TLS, verified with the local CA ({details.sslmode})</summary>
      <CopyField label={`URL (${details.sslmode})`} value={details.url} long />
      <CopyField label={`psql (${details.sslmode})`} value={details.psql} long />
      <CopyField label={`JDBC URL (${details.sslmode})`} value={details.jdbc} long />
      <CopyField label="Root certificate file" value={ca.certificate.path} long />
      <CertificateActions pem={ca.certificate.pem} />
    </details>
  );
}

type LocalCaState =
  | { kind: 'loading' }
  | { kind: 'ready'; certificate: LocalCaCertificate }
  | { kind: 'failed'; message: string };

/** The local CA's certificate, asked of the core once per mount (it makes the CA on first use). */
function useLocalCa(): LocalCaState {
  const bridge = useBridge();
  const [state, setState] = useState<LocalCaState>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    bridge.getLocalCa().then(
      (certificate) => live && setState({ kind: 'ready', certificate }),
      (error: Error) => live && setState({ kind: 'failed', message: error.message }),
    );
    return () => {
      live = false;
    };
  }, [bridge]);
  return state;
}

function CertificateActions({ pem }: { pem: string }) {
  const { status, copy } = useCopy();
  const save = (): void => {
    // A download of the PEM as a file: where GUI clients want "a root certificate file".
    const url = URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = SAVED_NAME;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };
  return (
    <div className="certificate-actions">
      <button
        type="button"
        className="button button-small"
        data-status={status}
        onClick={() => void copy(pem)}
      >
        {status === 'copied'
          ? 'Certificate copied'
          : status === 'failed'
            ? 'Copy failed'
            : 'Copy certificate (PEM)'}
      </button>
      <button type="button" className="button button-small" onClick={save}>
        Save certificate…
      </button>
      <span className="sr-only" role="status">
        {status === 'copied' ? 'Certificate copied' : ''}
      </span>
    </div>
  );
}
