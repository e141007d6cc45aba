import type { ReactNode } from 'react';
import { DEFAULT_GATEWAY_URL, type ProfileKind } from '../../../../shared/profile.js';
import { FormField } from '../../components/form-field.js';
import { hostWarning, type ProfileField, type ProfileFormValues } from './profile-form-model.js';

/**
 * The "Advanced" part: where the gateway is (a tunnel profile's), the local address the tunnel
 * listens on, and whether that port speaks TLS (for every kind).
 */
export function ConnectionFields({
  values,
  kind,
  errorOf,
  portProblem,
  onChange,
}: {
  values: ProfileFormValues;
  kind: ProfileKind;
  errorOf: (field: ProfileField) => string | undefined;
  /** The tunnel's "port in use" sentence when the user came here to fix it. */
  portProblem: string | undefined;
  onChange: <K extends ProfileField>(field: K, value: ProfileFormValues[K]) => void;
}) {
  return (
    <>
      {kind === 'tunnel' && (
        <FormField
          label="Gateway URL"
          hint={`The tunnel's remote end. Default: ${DEFAULT_GATEWAY_URL}`}
          error={errorOf('gatewayUrl')}
        >
          {(control) => (
            <input
              {...control}
              name="gatewayUrl"
              className="input input-mono"
              type="url"
              value={values.gatewayUrl}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => onChange('gatewayUrl', e.target.value)}
            />
          )}
        </FormField>
      )}

      <fieldset className="port-fieldset">
        <legend className="form-label">Local port</legend>
        <div className="port-choice">
          <label className="radio-row">
            <input
              type="radio"
              name="portMode"
              value="random"
              checked={values.portMode === 'random'}
              onChange={() => onChange('portMode', 'random')}
            />
            <span>Random, then kept</span>
          </label>
          <label className="radio-row">
            <input
              type="radio"
              name="portMode"
              value="fixed"
              checked={values.portMode === 'fixed'}
              onChange={() => onChange('portMode', 'fixed')}
            />
            <span>Fixed</span>
          </label>
        </div>
        {values.portMode === 'fixed' && (
          <FormField label="Port number" error={errorOf('port')} warning={portProblem}>
            {(control) => (
              <input
                {...control}
                name="port"
                className="input input-port"
                inputMode="numeric"
                value={values.port}
                autoComplete="off"
                onChange={(e) => onChange('port', e.target.value)}
              />
            )}
          </FormField>
        )}
      </fieldset>

      <FormField
        label="Listen on host"
        hint="The address of this machine the port opens on."
        error={errorOf('host')}
        warning={hostWarning(values.host, kind)}
      >
        {(control) => (
          <input
            {...control}
            name="host"
            className="input input-mono"
            value={values.host}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => onChange('host', e.target.value)}
          />
        )}
      </FormField>

      <CheckboxField
        name="tls"
        label="TLS on the local port"
        checked={values.tls}
        onChange={(checked) => onChange('tls', checked)}
      >
        For clients that ask for it (sslmode=require, “Use SSL”); the others connect as before.
        Clients can verify it with the local CA, under Connect.
      </CheckboxField>

      <CheckboxField
        name="localLogin"
        label="A password for the local port"
        checked={values.localLogin}
        onChange={(checked) => onChange('localLogin', checked)}
      >
        Off, any program and any user of this computer can use the tunnel without a password. On,
        clients log in with a password PG Tunnel generates (shown under Connect, kept in the
        keychain), and with TLS on they can require channel binding (channel_binding=require).
      </CheckboxField>

      {kind === 'direct' && (
        <CheckboxField
          name="warmLogins"
          label="Warm logins"
          checked={values.warmLogins}
          onChange={(checked) => onChange('warmLogins', checked)}
        >
          While you use the tunnel, PG Tunnel keeps a few connections to the database logged in
          ahead of need, so that your database tool opens its next connection at once. They are
          closed after a minute with no new client, and whenever the database says it has no
          connections to spare. Off, each connection logs in when it opens.
        </CheckboxField>
      )}
    </>
  );
}

/** A checkbox with its label and, under it, the hint that says what it does. */
function CheckboxField({
  name,
  label,
  checked,
  onChange,
  children,
}: {
  name: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  const hintId = `${name}-hint`;
  return (
    <div className="form-field">
      <label className="checkbox-row">
        <input
          type="checkbox"
          name={name}
          checked={checked}
          aria-describedby={hintId}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span>{label}</span>
      </label>
      <p className="form-hint" id={hintId}>
        {children}
      </p>
    </div>
  );
}
