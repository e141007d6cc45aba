import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeBridge } from '../../testing/fake-bridge.js';
import { profileView, sessionInfo, tunnelState } from '../../testing/fixtures.js';
import { renderWithBridge } from '../../testing/render.js';
import { TunnelCard } from './tunnel-card.js';

function renderCard(state = tunnelState(), bridge = fakeBridge()) {
  const navigate = vi.fn();
  renderWithBridge(
    <ul>
      <TunnelCard profile={profileView()} state={state} navigate={navigate} />
    </ul>,
    bridge,
  );
  return { navigate, bridge };
}

describe('TunnelCard', () => {
  it('shows the status in words, the address and the session count', () => {
    renderCard(tunnelState({ status: 'listening', sessions: [sessionInfo(), sessionInfo()] }));
    const card = screen.getByRole('listitem');
    expect(card).toHaveTextContent('Listening');
    expect(card).toHaveTextContent('127.0.0.1:54321');
    expect(card).toHaveTextContent('2 sessions');
    expect(screen.getByRole('switch', { name: 'Run Staging' })).toBeChecked();
  });

  it('a listening tunnel with a problem is not green: its dot is amber, the problem under it', () => {
    renderCard(
      tunnelState({
        status: 'listening',
        problem: { message: 'PG Tunnel could not reach “Staging”.', fix: 'none' },
      }),
    );
    const card = screen.getByRole('listitem');
    expect(card).toHaveTextContent('Listening');
    expect(card.querySelector('.status-badge')).toHaveAttribute('data-status', 'troubled');
  });

  it('a playground another process runs: listening, run by that process, its switch left alone', async () => {
    const { bridge } = renderCard(
      tunnelState({ status: 'listening', runBy: 'pg-tunnel playground (pid 4242)' }),
    );
    const card = screen.getByRole('listitem');
    expect(card).toHaveTextContent('run by pg-tunnel playground (pid 4242)');
    const toggle = screen.getByRole('switch', { name: 'Run Staging' });
    expect(toggle).toBeChecked();
    expect(toggle).toBeDisabled();
    await userEvent.click(toggle);
    expect(bridge.commands.stopTunnel).not.toHaveBeenCalled();
  });

  it('starts a stopped tunnel from its switch, flipping at once', async () => {
    const { bridge } = renderCard();
    let finish: () => void = () => undefined;
    bridge.commands.startTunnel.mockReturnValue(
      new Promise((resolve) => (finish = () => resolve(tunnelState({ status: 'listening' })))),
    );
    const toggle = screen.getByRole('switch', { name: 'Run Staging' });
    expect(toggle).not.toBeChecked();
    await userEvent.click(toggle);
    expect(bridge.commands.startTunnel).toHaveBeenCalledWith('p1');
    expect(toggle).toBeChecked();
    finish();
  });

  it('stops a running one', async () => {
    const { bridge } = renderCard(tunnelState({ status: 'listening' }));
    await userEvent.click(screen.getByRole('switch', { name: 'Run Staging' }));
    expect(bridge.commands.stopTunnel).toHaveBeenCalledWith('p1');
  });

  it('shows a rejected key with the action that fixes it', async () => {
    const { navigate } = renderCard(
      tunnelState({
        status: 'listening',
        problem: { message: 'API key is invalid: the tunnel gateway refused it.', fix: 'edit-key' },
      }),
    );
    expect(within(screen.getByRole('listitem')).getByRole('alert')).toHaveTextContent(
      /^API key is invalid/,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Edit the key' }));
    expect(navigate).toHaveBeenCalledWith({ screen: 'form', profileId: 'p1', focus: 'apiKey' });
  });

  it("sends a direct profile's refused password to the password field", async () => {
    const { navigate } = renderCard(
      tunnelState({
        status: 'listening',
        problem: {
          message:
            'PG Tunnel could not log in to “Staging” (db:5432): password authentication failed.',
          fix: 'edit-password',
        },
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Edit the password' }));
    expect(navigate).toHaveBeenCalledWith({ screen: 'form', profileId: 'p1', focus: 'password' });
  });

  it('sends a port in use to the port field', async () => {
    const { navigate } = renderCard(
      tunnelState({
        status: 'error',
        problem: { message: 'Port 54321 on 127.0.0.1 is already in use.', fix: 'change-port' },
      }),
    );
    expect(screen.getByRole('listitem')).toHaveTextContent('Error');
    await userEvent.click(screen.getByRole('button', { name: 'Pick another port' }));
    expect(navigate).toHaveBeenCalledWith({ screen: 'form', profileId: 'p1', focus: 'port' });
  });

  it('offers a retry when no edit fixes the problem', async () => {
    const { bridge } = renderCard(
      tunnelState({
        status: 'error',
        problem: { message: 'The gateway could not be reached.', fix: 'none' },
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(bridge.commands.restartTunnel).toHaveBeenCalledWith('p1');
  });

  it('opens the details from the name', async () => {
    const { navigate } = renderCard();
    await userEvent.click(screen.getByRole('button', { name: 'Staging' }));
    expect(navigate).toHaveBeenCalledWith({ screen: 'detail', profileId: 'p1' });
  });
});
