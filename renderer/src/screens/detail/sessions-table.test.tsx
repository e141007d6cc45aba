import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBridge } from '../../testing/fake-bridge.js';
import { sessionInfo } from '../../testing/fixtures.js';
import { renderWithBridge } from '../../testing/render.js';
import { SessionsTable } from './sessions-table.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

afterEach(() => {
  vi.useRealTimers();
});

describe('SessionsTable', () => {
  it('shows each session with formatted bytes and a duration that ticks', () => {
    vi.useFakeTimers({ now: NOW });
    const session = sessionInfo({
      openedAt: NOW - 184_000,
      bytesFromClient: 1_234,
      bytesToClient: 1_234_567,
      state: 'in-transaction',
      applicationName: 'DBeaver 24.1',
      clientAddress: '127.0.0.1:51234',
    });
    renderWithBridge(<SessionsTable profileId="p1" sessions={[session]} listening />, fakeBridge());
    const row = screen.getAllByRole('row')[1]!;
    const cells = within(row).getAllByRole('cell');
    expect(cells.map((cell) => cell.textContent)).toEqual([
      'ada@shop',
      'DBeaver 24.1',
      '127.0.0.1:51234',
      'In transaction',
      'open 3 m 04 s',
      'sent 1.2 kB',
      'received 1.2 MB',
      'Disconnect',
    ]);
    act(() => vi.advanceTimersByTime(3_000));
    expect(within(row).getByText(/3 m 07 s/)).toBeInTheDocument();
  });

  it('names each cell by its column for screen readers', () => {
    renderWithBridge(
      <SessionsTable profileId="p1" sessions={[sessionInfo()]} listening />,
      fakeBridge(),
    );
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual([
      'User and database',
      'Application',
      'Client',
      'State',
      'Open for',
      'Bytes sent by the client',
      'Bytes received by the client',
      'Action',
    ]);
  });

  it('disconnects one session by its id', async () => {
    const bridge = fakeBridge();
    bridge.commands.killSession.mockResolvedValue(true);
    renderWithBridge(
      <SessionsTable
        profileId="p1"
        sessions={[sessionInfo({ id: '7', applicationName: 'psql' }), sessionInfo({ id: '8' })]}
        listening
      />,
      bridge,
    );
    const buttons = screen.getAllByRole('button', { name: /^Disconnect ada@shop/ });
    await userEvent.click(buttons[0]!);
    expect(bridge.commands.killSession).toHaveBeenCalledWith('p1', '7');
  });

  it('shows a failed disconnect in the notice bar', async () => {
    const bridge = fakeBridge();
    bridge.commands.killSession.mockRejectedValue(new Error('PG Tunnel is not reachable.'));
    renderWithBridge(<SessionsTable profileId="p1" sessions={[sessionInfo()]} listening />, bridge);
    await userEvent.click(screen.getByRole('button', { name: /^Disconnect/ }));
    expect(await screen.findByText('PG Tunnel is not reachable.')).toBeInTheDocument();
  });

  it('says what to do when there is no session', () => {
    renderWithBridge(<SessionsTable profileId="p1" sessions={[]} listening />, fakeBridge());
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.getByText(/No client is connected/)).toBeInTheDocument();
  });
});
