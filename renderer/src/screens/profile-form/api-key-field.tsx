import { FormField } from '../../components/form-field.js';
import { SecretInput } from '../../components/secret-input.js';

/**
 * The add form's first field: an API key, a DATABASE_URL that holds one, or a postgres:// URL,
 * which makes a direct profile (its fields appear below, filled in). Editing a tunnel, its key:
 * the saved key never comes back to the window, so the field starts empty, its placeholder shows
 * the masked tail, and empty keeps the key.
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
  const hint = editing
    ? mask
      ? `Saved key ${mask}: leave empty to keep the saved key.`
      : // The core reads a key when it needs it, so it may not know the mask yet.
        'Leave empty to keep the saved key.'
    : 'Paste an API key, a prisma+postgres:// DATABASE_URL, or a postgres:// URL to connect to a database directly. Keys and passwords are kept in the OS keychain.';
  return (
    <FormField label="API key or DATABASE_URL" hint={hint} error={error} warning={problem}>
      {(control) => (
        <SecretInput
          control={control}
          name="apiKey"
          value={value}
          placeholder={editing && mask ? mask : 'prisma+postgres://…?api_key=… or postgres://…'}
          noun="key"
          onChange={onChange}
        />
      )}
    </FormField>
  );
}
