import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeBridge } from '../../testing/fake-bridge.js';
import { profileView } from '../../testing/fixtures.js';
import { renderWithBridge } from '../../testing/render.js';
import { ProfileActions } from './profile-actions.js';

describe('ProfileActions', () => {
  it('asks once more before deleting, with the focus on Cancel, and goes back to the list', async () => {
    const bridge = fakeBridge();
    const navigate = vi.fn();
    renderWithBridge(<ProfileActions profile={profileView()} navigate={navigate} />, bridge);

    await userEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    expect(screen.getByText('Delete “Staging” and its saved key?')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByRole('button', { name: 'Delete…' })).toHaveFocus();
    expect(bridge.commands.deleteProfile).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(bridge.commands.deleteProfile).toHaveBeenCalledWith('p1');
    expect(navigate).toHaveBeenCalledWith({ screen: 'tunnels' });
  });

  it('duplicates a remote tunnel and opens the copy', async () => {
    const bridge = fakeBridge();
    bridge.commands.duplicateProfile.mockResolvedValue(profileView({ id: 'copy' }));
    const navigate = vi.fn();
    renderWithBridge(<ProfileActions profile={profileView()} navigate={navigate} />, bridge);
    await userEvent.click(screen.getByRole('button', { name: 'Duplicate' }));
    expect(navigate).toHaveBeenCalledWith({ screen: 'detail', profileId: 'copy' });
  });

  it('offers no duplicate of the playground: there is one', () => {
    renderWithBridge(
      <ProfileActions profile={profileView({ kind: 'playground' })} navigate={vi.fn()} />,
      fakeBridge(),
    );
    expect(screen.queryByRole('button', { name: 'Duplicate' })).not.toBeInTheDocument();
  });
});
