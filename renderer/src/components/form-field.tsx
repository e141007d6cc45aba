import { useId, type ReactNode } from 'react';
import './form-field.css';

/** The ids a control needs to be tied to its label, hint and error. */
export interface FieldControl {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean | undefined;
}

/**
 * A labelled form field with an optional hint, an inline error (read out when it appears) and an
 * optional warning. `children` renders the control with the ids it is given.
 */
export function FormField({
  label,
  hint,
  error,
  warning,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  warning?: string | undefined;
  children: (control: FieldControl) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const messageId = `${id}-message`;
  const describedBy = [error || warning ? messageId : '', hint ? hintId : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="form-field" data-invalid={error ? true : undefined}>
      <label className="form-label" htmlFor={id}>
        {label}
      </label>
      {children({
        id,
        'aria-describedby': describedBy || undefined,
        'aria-invalid': error ? true : undefined,
      })}
      <p
        className={error ? 'form-error' : 'form-warning'}
        id={messageId}
        aria-live="polite"
        hidden={!error && !warning}
      >
        {error ?? warning}
      </p>
      {hint && (
        <p className="form-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}
