import {
  unverifiedServerWarning,
  type ChannelBinding,
  type SessionAttrs,
  type SslMode,
} from '../../../../shared/direct-upstream.js';
import { FormField } from '../../components/form-field.js';
import { SecretInput } from '../../components/secret-input.js';
import { upstreamOf, type DirectField, type DirectFormValues } from './direct-form-model.js';
import './direct-fields.css';

/** What each sslmode does, in a phrase (Postgres docs, "SSL Mode Descriptions"), weakest first. */
const SSL_MODE_LABELS: Record<SslMode, string> = {
  disable: 'disable: no TLS',
  allow: 'allow: TLS only if plain text is refused',
  prefer: 'prefer: TLS if the server offers it',
  require: 'require: TLS, the certificate unchecked',
  'verify-ca': 'verify-ca: TLS, a certificate of a trusted CA',
  'verify-full': 'verify-full: TLS, a trusted certificate for this host',
};

/** libpq's target_session_attrs, each with what it picks; any is its default. */
const SESSION_ATTRS_LABELS: Record<SessionAttrs, string> = {
  any: 'any: the first host that answers',
  'read-write': 'read-write: one that takes writes',
  'read-only': 'read-only: one that does not',
  primary: 'primary: not a standby',
  standby: 'standby: a hot standby',
  'prefer-standby': 'prefer-standby: a standby if one answers',
};

const CHANNEL_BINDING_LABELS: Record<ChannelBinding, string> = {
  disable: 'disable',
  prefer: 'prefer: when the server offers it',
  require: 'require: refuse a login without it',
};

/**
 * A direct profile's connection: where PG Tunnel logs in, as whom, and how TLS is checked. The
 * password is masked; on edit it starts empty, its placeholder the saved one's mask, and empty
 * keeps it. A server whose certificate is not checked gets a warning under the sslmode.
 */
export function DirectFields({
  values,
  passwordMask,
  editing,
  ignored,
  errorOf,
  passwordProblem,
  onChange,
}: {
  values: DirectFormValues;
  passwordMask: string | null;
  editing: boolean;
  /** Client settings the pasted URL had, which PG Tunnel leaves to each client. */
  ignored: readonly string[];
  errorOf: (field: DirectField) => string | undefined;
  /** The tunnel's problem when the user came here to fix the password. */
  passwordProblem: string | undefined;
  /** A field's new value; the selects give one of their options. */
  onChange: (field: DirectField, value: string) => void;
}) {
  const text = (field: DirectField, label: string, hint?: string) => (
    <FormField label={label} hint={hint} error={errorOf(field)}>
      {(control) => (
        <input
          {...control}
          name={field}
          className={field === 'upstream.port' ? 'input input-port' : 'input input-mono'}
          inputMode={field === 'upstream.port' ? 'numeric' : undefined}
          value={values[field]}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          onChange={(e) => onChange(field, e.target.value)}
        />
      )}
    </FormField>
  );
  /** A select of libpq's values for `field`, each with what it does. */
  const choice = (
    field: 'upstream.sslmode' | 'upstream.channelBinding' | 'upstream.targetSessionAttrs',
    label: string,
    labels: Record<string, string>,
    warning?: string,
  ) => (
    <FormField label={label} error={errorOf(field)} warning={warning}>
      {(control) => (
        <select
          {...control}
          name={field}
          className="input"
          value={values[field]}
          onChange={(e) => onChange(field, e.target.value)}
        >
          {Object.entries(labels).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      )}
    </FormField>
  );
  const passwordHint = editing
    ? passwordMask
      ? 'A password is saved: leave empty to keep it.'
      : 'Leave empty to keep the saved password, if any.'
    : 'Kept in the OS keychain, never in a file. Leave empty if the server asks none.';
  return (
    <fieldset className="direct-fieldset">
      <legend className="form-label">Database (PG Tunnel logs in itself)</legend>
      {ignored.length > 0 && (
        <p className="form-note">
          Ignored from the URL: {ignored.join(', ')} (client settings: each client brings its own).
        </p>
      )}
      {text('upstream.host', 'Database host')}
      {text('upstream.port', 'Database port')}
      {text(
        'upstream.hosts',
        'Other hosts',
        'For a primary and its standbys: host:port, separated by commas, tried after the first in order. Empty: one host.',
      )}
      {choice(
        'upstream.targetSessionAttrs',
        'Which host (target_session_attrs)',
        SESSION_ATTRS_LABELS,
      )}
      {text('upstream.database', 'Database', 'Empty: the user’s name, as libpq does.')}
      {text('upstream.user', 'User')}
      <FormField
        label="Password"
        hint={passwordHint}
        error={errorOf('password')}
        warning={passwordProblem}
      >
        {(control) => (
          <SecretInput
            control={control}
            name="password"
            value={values.password}
            placeholder={editing && passwordMask ? passwordMask : undefined}
            noun="password"
            onChange={(value) => onChange('password', value)}
          />
        )}
      </FormField>
      {choice(
        'upstream.sslmode',
        'SSL mode',
        SSL_MODE_LABELS,
        unverifiedServerWarning(upstreamOf(values)),
      )}
      {text(
        'upstream.sslrootcert',
        'CA certificate (sslrootcert)',
        'The full path of the CA’s file, or system for the operating system’s trusted CAs. Empty: ~/.postgresql/root.crt, as libpq does.',
      )}
      {choice('upstream.channelBinding', 'Channel binding', CHANNEL_BINDING_LABELS)}
      {text(
        'upstream.sslcert',
        'Client certificate (sslcert)',
        'The full path of its file, for a server that logs in by certificate. Empty: ~/.postgresql/postgresql.crt when it exists, as libpq does.',
      )}
      {text(
        'upstream.sslkey',
        'Client key (sslkey)',
        'The full path of its file. Empty: ~/.postgresql/postgresql.key.',
      )}
      <FormField
        label="Key passphrase (sslpassword)"
        hint={
          editing
            ? 'Leave empty to keep the saved passphrase, if any.'
            : 'Kept in the OS keychain, never in a file. Empty when the key has none.'
        }
        error={errorOf('sslPassword')}
      >
        {(control) => (
          <SecretInput
            control={control}
            name="sslPassword"
            placeholder={undefined}
            value={values.sslPassword}
            noun="key"
            onChange={(value) => onChange('sslPassword', value)}
          />
        )}
      </FormField>
      {text(
        'upstream.options',
        'Server options (options)',
        'Sent to the server at login, such as -c search_path=app; a client’s own come after.',
      )}
    </fieldset>
  );
}
