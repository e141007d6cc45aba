import { useState } from 'react';
import { FormField } from '../../components/form-field.js';

/**
 * The API key, or a DATABASE_URL that holds one. The saved key never comes back to the window:
 * on edit the field starts empty, its placeholder shows the masked tail, and empty keeps the key.
 */
export function ApiKeyField({
  value,
  mask,
  editing,
  error,
  problem,
  onChange,
}: {
  value: string;
  mask: string | null;
  editing: boolean;
  error: string | undefined;
  /** The tunnel's problem when the user came here to fix the key. */
  problem: string | undefined;
  onChange: (value: string) => void;
}) {
  const [shown, setShown] = useState(false);
  const hint = editing
    ? mask
      ? `Saved key ${mask}: leave empty to keep the saved key.`
      : // The core reads a key when it needs it, so it may not know the mask yet.
        'Leave empty to keep the saved key.'
    : 'Paste the key, or a prisma+postgres:// DATABASE_URL that holds one. It is kept in the OS keychain.';
  return (
    <FormField label="API key or DATABASE_URL" hint={hint} error={error} warning={problem}>
      {(control) => (
        <div className="secret-input">
          <input
            {...control}
            name="apiKey"
            className="input input-mono"
            type={shown ? 'text' : 'password'}
            value={value}
            placeholder={editing && mask ? mask : 'prisma+postgres://…?api_key=…'}
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="off"
            onChange={(e) => onChange(e.target.value)}
          />
          <button
            type="button"
            className="button button-small"
            aria-pressed={shown}
            aria-label={shown ? 'Hide the key' : 'Show the key'}
            onClick={() => setShown((s) => !s)}
          >
            {shown ? 'Hide' : 'Show'}
          </button>
        </div>
      )}
    </FormField>
  );
}
