import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeBridge } from '../testing/fake-bridge.js';
import { profileView, snapshotOf, tunnelState } from '../testing/fixtures.js';
import { App } from './app.js';

describe('the window', () => {
  it('offers the playground and "Add a tunnel" when there is no tunnel yet', async () => {
    render(<App bridge={fakeBridge(snapshotOf([]))} />);
    expect(await screen.findByRole('heading', { name: 'Welcome to PG Tunnel' })).toBeVisible();
    expect(screen.getByRole('button', { name: 'Try the local playground' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Add a tunnel' })).toBeEnabled();
  });

  it('creates and starts the playground, then shows it', async () => {
    const bridge = fakeBridge(snapshotOf([]));
    const playground = profileView({ id: 'pg', name: 'Local playground', kind: 'playground' });
    bridge.commands.createPlayground.mockResolvedValue(playground);
    render(<App bridge={bridge} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Try the local playground' }));
    act(() =>
      bridge.push(snapshotOf([playground], [tunnelState({ profileId: 'pg', status: 'starting' })])),
    );
    expect(bridge.commands.startTunnel).toHaveBeenCalledWith('pg');
    expect(await screen.findByRole('heading', { name: 'Local playground' })).toBeVisible();
    expect(screen.getByText('Starting…')).toBeVisible();
  });

  it('follows pushed snapshots', async () => {
    const bridge = fakeBridge(snapshotOf([profileView()]));
    render(<App bridge={bridge} />);
    expect(await screen.findByText('Stopped')).toBeVisible();
    act(() => bridge.push(snapshotOf([profileView()], [tunnelState({ status: 'listening' })])));
    expect(screen.getByText('Listening')).toBeVisible();
  });

  it('says "Reconnecting…" while the connection to the core is lost', async () => {
    const bridge = fakeBridge(snapshotOf([profileView()]));
    render(<App bridge={bridge} />);
    await screen.findByText('Staging');
    expect(screen.queryByText('Reconnecting to PG Tunnel…')).not.toBeInTheDocument();
    act(() => bridge.setConnection('reconnecting'));
    expect(screen.getByRole('status', { name: '' })).toHaveTextContent(
      'Reconnecting to PG Tunnel…',
    );
    act(() => bridge.setConnection('open'));
    expect(screen.queryByText('Reconnecting to PG Tunnel…')).not.toBeInTheDocument();
  });

  it('says which URL opens the window once a restarted pg-tunnel ui has refused it', async () => {
    const bridge = fakeBridge(snapshotOf([profileView()]));
    render(<App bridge={bridge} />);
    await screen.findByText('Staging');
    act(() => bridge.setConnection('expired'));
    expect(screen.getByRole('status', { name: '' })).toHaveTextContent(
      'PG Tunnel was restarted, and this window’s access ended with it. Open the URL that pg-tunnel ui printed.',
    );
    expect(screen.queryByText('Reconnecting to PG Tunnel…')).not.toBeInTheDocument();
  });

  it('explains why the window is empty when the core cannot be read', async () => {
    const bridge = fakeBridge();
    bridge.commands.getSnapshot.mockRejectedValue(
      new Error('Open the URL that pg-tunnel ui printed: it carries the access token.'),
    );
    render(<App bridge={bridge} />);
    expect(await screen.findByText(/Open the URL that pg-tunnel ui printed/)).toBeVisible();
    expect(screen.getByRole('heading', { name: 'PG Tunnel is not running' })).toBeVisible();
  });

  it('a core that could not start: its sentence, and Retry, which asks again and shows the tunnels once it runs', async () => {
    const bridge = fakeBridge(snapshotOf([profileView()]));
    const sentence =
      'The profiles file /home/me/.config/pg-tunnel/profiles.json is not valid JSON (Unexpected end of JSON input); PG Tunnel never clears it: fix it, or move it away to start with no tunnels.';
    bridge.commands.getSnapshot.mockRejectedValueOnce(new Error(sentence));
    render(<App bridge={bridge} />);
    expect(await screen.findByText(sentence)).toBeVisible();
    expect(screen.getByRole('heading', { name: 'PG Tunnel is not running' })).toBeVisible();

    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Staging')).toBeVisible();
    expect(bridge.commands.getSnapshot).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });

  it('goes to a tunnel and back with Escape; a tunnel deleted meanwhile sends back to the list', async () => {
    const bridge = fakeBridge(
      snapshotOf([profileView(), profileView({ id: 'p2', name: 'Other' })]),
    );
    render(<App bridge={bridge} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Staging' }));
    expect(screen.getByRole('heading', { name: 'Staging', level: 1 })).toHaveFocus();
    expect(screen.getByRole('region', { name: 'Connect' })).toHaveTextContent('127.0.0.1:54321');

    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.getByRole('heading', { name: 'Tunnels', level: 1 })).toHaveFocus();

    await userEvent.click(screen.getByRole('button', { name: 'Other' }));
    act(() => bridge.push(snapshotOf([profileView()])));
    expect(screen.getByRole('heading', { name: 'Tunnels', level: 1 })).toBeVisible();
  });
});
