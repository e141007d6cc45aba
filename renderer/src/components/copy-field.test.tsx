import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CopyField } from './copy-field.js';

let writeText: ReturnType<typeof vi.fn<(text: string) => Promise<void>>>;

beforeEach(() => {
  writeText = vi.fn(async () => undefined);
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Clicks and lets the clipboard's promise settle. */
async function click(element: HTMLElement): Promise<void> {
  await act(async () => {
    fireEvent.click(element);
  });
}

describe('CopyField', () => {
  it('copies the value, says "Copied" on the button and to screen readers, then goes back', async () => {
    vi.useFakeTimers();
    const url = 'postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable';
    render(<CopyField label="URL" value={url} long />);

    const button = screen.getByRole('button', { name: 'Copy URL' });
    expect(button).toHaveTextContent('Copy');
    await click(button);
    expect(writeText).toHaveBeenCalledWith(url);
    expect(button).toHaveTextContent('Copied');
    expect(screen.getByRole('status')).toHaveTextContent('URL copied');

    act(() => vi.advanceTimersByTime(1_500));
    expect(button).toHaveTextContent(/^Copy$/);
    expect(screen.getByRole('status')).toHaveTextContent('');
  });

  it('says so when the clipboard refuses', async () => {
    writeText.mockRejectedValue(new Error('denied'));
    render(<CopyField label="Port" value="5432" />);
    await click(screen.getByRole('button', { name: 'Copy Port' }));
    expect(screen.getByRole('button', { name: 'Copy Port' })).toHaveTextContent('Failed');
    expect(screen.getByRole('status')).toHaveTextContent('Port could not be copied');
  });

  it('ties the button to the value it copies', () => {
    render(<CopyField label="Host" value="127.0.0.1" />);
    expect(screen.getByRole('button', { name: 'Copy Host' })).toHaveAccessibleDescription(
      '127.0.0.1',
    );
  });
});
