import { useId } from 'react';
import './switch-thumb.css';
import './toggle-row.css';

/** A setting that is on or off: a checkbox drawn as a switch, its label and what it does. */
export function ToggleRow({
  label,
  description,
  checked,
  disabled = false,
  problem,
  onChange,
}: {
  label: string;
  description?: string;
  checked: boolean;
  disabled?: boolean;
  /** Why the setting did not take, and what to do: shown under it. */
  problem?: string | undefined;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="toggle-row">
      <div className="toggle-text">
        <label htmlFor={id} className="toggle-label">
          {label}
        </label>
        {description && (
          <p className="toggle-description" id={`${id}-description`}>
            {description}
          </p>
        )}
        {problem && (
          <p className="form-error" role="alert">
            {problem}
          </p>
        )}
      </div>
      <input
        id={id}
        type="checkbox"
        role="switch"
        className="toggle-input"
        checked={checked}
        disabled={disabled}
        aria-describedby={description ? `${id}-description` : undefined}
        onChange={(event) => onChange(event.target.checked)}
      />
    </div>
  );
}
