import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeBridge } from '../../testing/fake-bridge.js';
import { profileView, tunnelState } from '../../testing/fixtures.js';
import { renderWithBridge } from '../../testing/render.js';
import { TunnelDetailScreen } from './tunnel-detail-screen.js';

describe('Test connection', () => {
  it('a failed test is cleared once the tunnel changes (its problem fixed), not left behind', async () => {
    const bridge = fakeBridge();
    bridge.commands.testConnection.mockResolvedValue({
      ok: false,
      error: 'API key is invalid: the tunnel gateway refused it',
    });
    const problem = { message: 'API key is invalid.', fix: 'edit-key' as const };
    const screenWith = (state: ReturnType<typeof tunnelState>) => (
      <TunnelDetailScreen profile={profileView()} state={state} navigate={vi.fn()} />
    );
    const { rerender } = renderWithBridge(
      screenWith(tunnelState({ status: 'listening', problem })),
      bridge,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText(/^Failed: API key is invalid/)).toBeVisible();

    rerender(screenWith(tunnelState({ status: 'listening', problem: null })));
    expect(screen.queryByText(/^Failed:/)).toBeNull();
  });
});
