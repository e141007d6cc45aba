import { useState } from 'react';
import type { FieldControl } from './form-field.js';

/**
 * A masked text input with a Show/Hide button, for an API key or a password: the secret is shown
 * only while the user asks for it, and never spell-checked or autocompleted.
 */
export function SecretInput({
  control,
  name,
  value,
  placeholder,
  noun,
  onChange,
}: {
  control: FieldControl;
  name: string;
  value: string;
  placeholder: string | undefined;
  /** What the secret is, for the button's accessible name ("Show the key"). */
  noun: 'key' | 'password';
  onChange: (value: string) => void;
}) {
  const [shown, setShown] = useState(false);
  return (
    <div className="secret-input">
      <input
        {...control}
        name={name}
        className="input input-mono"
        type={shown ? 'text' : 'password'}
        value={value}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="off"
        onChange={(e) => onChange(e.target.value)}
      />
      <button
        type="button"
        className="button button-small"
        aria-pressed={shown}
        aria-label={shown ? `Hide the ${noun}` : `Show the ${noun}`}
        onClick={() => setShown((s) => !s)}
      >
        {shown ? 'Hide' : 'Show'}
      </button>
    </div>
  );
}
