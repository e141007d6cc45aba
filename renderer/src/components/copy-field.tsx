import { useId } from 'react';
import { useCopy } from '../hooks/use-copy.js';
import { CheckIcon, CopyIcon } from './icons.js';
import './copy-field.css';

/**
 * One connection detail: its label, its value and a Copy button that says "Copied" for a moment;
 * the outcome is also announced to screen readers. Short values sit on the label's line; long ones
 * (URLs, commands, config blocks) get a full-width block below it and wrap, never cut, since
 * people read them before pasting.
 */
export function CopyField({
  label,
  value,
  long = false,
}: {
  label: string;
  value: string;
  long?: boolean;
}) {
  const { status, copy } = useCopy();
  const valueId = useId();
  return (
    <div className="copy-field" data-layout={long ? 'block' : 'inline'}>
      <span className="copy-field-label">{label}</span>
      {long ? (
        <pre className="copy-field-value" id={valueId}>
          {value}
        </pre>
      ) : (
        <code className="copy-field-value" id={valueId} title={value}>
          {value}
        </code>
      )}
      <button
        type="button"
        className="button button-small copy-button"
        data-status={status}
        aria-label={`Copy ${label}`}
        aria-describedby={valueId}
        onClick={() => void copy(value)}
      >
        {status === 'copied' ? <CheckIcon /> : <CopyIcon />}
        <span aria-hidden="true">
          {status === 'copied' ? 'Copied' : status === 'failed' ? 'Failed' : 'Copy'}
        </span>
      </button>
      <span className="sr-only" role="status">
        {status === 'copied'
          ? `${label} copied`
          : status === 'failed'
            ? `${label} could not be copied: the clipboard refused it`
            : ''}
      </span>
    </div>
  );
}
