import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { RpcError } from '../../../../shared/rpc.js';
import { fakeBridge, type FakeBridge } from '../../testing/fake-bridge.js';
import { directProfileView, profileView } from '../../testing/fixtures.js';
import { renderWithBridge } from '../../testing/render.js';
import { ProfileFormScreen } from './profile-form-screen.js';

const KEY = 'abcdefghijklmnop-key';

/** Renders the form and waits for its first focus (given a frame after mount), as a person would. */
async function renderForm(
  props: Partial<Parameters<typeof ProfileFormScreen>[0]> = {},
  bridge: FakeBridge = fakeBridge(),
) {
  const navigate = vi.fn();
  renderWithBridge(<ProfileFormScreen navigate={navigate} {...props} />, bridge);
  await act(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
  return { navigate, bridge };
}

const keyField = () => screen.getByLabelText('API key or DATABASE_URL');

describe('the add form', () => {
  it('starts on the name, shows no error before anything is typed, and names every missing field on Save', async () => {
    const { bridge } = await renderForm();
    await waitFor(() => expect(screen.getByLabelText('Name')).toHaveFocus());
    await userEvent.tab(); // leaving an untouched field is not an error yet
    expect(screen.queryByText('Give the tunnel a name.')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Add tunnel' }));
    expect(screen.getByText('Give the tunnel a name.')).toBeVisible();
    expect(screen.getByText(/The API key is empty/)).toBeVisible();
    expect(screen.getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true');
    await waitFor(() => expect(screen.getByLabelText('Name')).toHaveFocus());
    expect(bridge.commands.addProfile).not.toHaveBeenCalled();
  });

  it('checks a field when it is left after typing', async () => {
    await renderForm();
    await userEvent.type(keyField(), 'too-short');
    expect(screen.queryByText(/does not look like an API key/)).not.toBeInTheDocument();
    await userEvent.tab();
    expect(screen.getByText(/does not look like an API key/)).toBeVisible();
    expect(keyField()).toHaveAccessibleDescription(/does not look like an API key/);
  });

  it('warns when the host is not loopback', async () => {
    await renderForm();
    await userEvent.click(screen.getByText('Advanced'));
    const host = screen.getByLabelText('Listen on host');
    await userEvent.clear(host);
    await userEvent.type(host, '0.0.0.0');
    expect(screen.getByText(/^Anyone who can reach 0\.0\.0\.0/)).toBeVisible();
  });

  it('adds the profile from a pasted DATABASE_URL and opens it', async () => {
    const bridge = fakeBridge();
    bridge.commands.addProfile.mockResolvedValue(profileView({ id: 'new' }));
    const { navigate } = await renderForm({}, bridge);
    await userEvent.type(screen.getByLabelText('Name'), 'Prod');
    await userEvent.click(keyField());
    await userEvent.paste(`prisma+postgres://accelerate.prisma-data.net/?api_key=${KEY}`);
    await userEvent.click(screen.getByRole('button', { name: 'Add tunnel' }));
    expect(bridge.commands.addProfile).toHaveBeenCalledWith({
      name: 'Prod',
      apiKey: `prisma+postgres://accelerate.prisma-data.net/?api_key=${KEY}`,
      gatewayUrl: 'wss://ppg-tunnel.prisma-data.net/websocket',
      host: '127.0.0.1',
      portMode: 'random',
      autoStart: false,
      tls: true,
    });
    expect(navigate).toHaveBeenCalledWith({ screen: 'detail', profileId: 'new' });
  });

  it('shows what the core refused on the field it names', async () => {
    const bridge = fakeBridge();
    bridge.commands.addProfile.mockRejectedValue(
      new RpcError('The OS keychain is locked.', 'apiKey'),
    );
    await renderForm({}, bridge);
    await userEvent.type(screen.getByLabelText('Name'), 'Prod');
    await userEvent.type(keyField(), KEY);
    await userEvent.click(screen.getByRole('button', { name: 'Add tunnel' }));
    expect(await screen.findByText('The OS keychain is locked.')).toBeVisible();
    await waitFor(() => expect(keyField()).toHaveFocus());
  });

  it('shows a refusal that names no field above the buttons', async () => {
    const bridge = fakeBridge();
    bridge.commands.addProfile.mockRejectedValue(new RpcError('PG Tunnel is not reachable.'));
    await renderForm({}, bridge);
    await userEvent.type(screen.getByLabelText('Name'), 'Prod');
    await userEvent.type(keyField(), KEY);
    await userEvent.click(screen.getByRole('button', { name: 'Add tunnel' }));
    expect(await screen.findByText('PG Tunnel is not reachable.')).toHaveAttribute('role', 'alert');
  });
});

describe('the edit form', () => {
  it('never shows the key: the field is empty, the mask is its placeholder, and empty keeps it', async () => {
    const bridge = fakeBridge();
    bridge.commands.updateProfile.mockResolvedValue(profileView());
    const { navigate } = await renderForm(
      { profile: profileView({ secretMask: '••••wxyz' }) },
      bridge,
    );
    expect(keyField()).toHaveValue('');
    expect(keyField()).toHaveAttribute('placeholder', '••••wxyz');
    expect(screen.getByText(/leave empty to keep the saved key/)).toBeVisible();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(bridge.commands.updateProfile).toHaveBeenCalledWith(
      'p1',
      expect.not.objectContaining({ apiKey: expect.anything() }),
    );
    expect(navigate).toHaveBeenCalledWith({ screen: 'detail', profileId: 'p1' });
  });

  it('sent to fix the key: focuses the key field and repeats the problem next to it', async () => {
    await renderForm({
      profile: profileView(),
      focus: 'apiKey',
      problem: { message: 'API key is invalid: the tunnel gateway refused it.', fix: 'edit-key' },
    });
    await waitFor(() => expect(keyField()).toHaveFocus());
    expect(keyField()).toHaveAccessibleDescription(/API key is invalid/);
  });

  it('sent to fix the port: opens Advanced on a fixed port, focused', async () => {
    await renderForm({
      profile: profileView(),
      focus: 'port',
      problem: { message: 'Port 54321 on 127.0.0.1 is already in use.', fix: 'change-port' },
    });
    const port = await screen.findByLabelText('Port number');
    await waitFor(() => expect(port).toHaveFocus());
    expect(screen.getByLabelText('Fixed')).toBeChecked();
    expect(port).toHaveAccessibleDescription(/already in use/);
  });

  it('the playground has neither key nor gateway to edit', async () => {
    await renderForm({ profile: profileView({ kind: 'playground', gatewayUrl: '' }) });
    expect(screen.queryByLabelText('API key or DATABASE_URL')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Gateway URL')).not.toBeInTheDocument();
  });

  it.each([
    ['a tunnel', profileView()],
    ['the playground', profileView({ kind: 'playground', gatewayUrl: '' })],
    ['a direct profile', directProfileView()],
  ])(
    '%s: TLS on the local port is shown as saved, under Advanced, and saved as set',
    async (_name, profile) => {
      const bridge = fakeBridge();
      bridge.commands.updateProfile.mockResolvedValue(profile);
      await renderForm({ profile: { ...profile, tls: false } }, bridge);
      await userEvent.click(screen.getByText('Advanced'));
      const tls = screen.getByLabelText('TLS on the local port');
      expect(tls).not.toBeChecked();
      expect(tls).toHaveAccessibleDescription(/sslmode=require/);
      await userEvent.click(tls);
      await userEvent.click(screen.getByRole('button', { name: 'Save' }));
      expect(bridge.commands.updateProfile).toHaveBeenCalledWith(
        'p1',
        expect.objectContaining({ tls: true }),
      );
    },
  );
});

describe('a direct profile in the form', () => {
  const URL = 'postgres://app:s%40cret@db.example.com:5432/shop?sslmode=require';

  it('a pasted postgres:// URL shows its fields, the password masked, and Add sends the fields', async () => {
    const bridge = fakeBridge();
    bridge.commands.addProfile.mockResolvedValue(profileView({ id: 'new', kind: 'direct' }));
    const { navigate } = await renderForm({}, bridge);
    await userEvent.type(screen.getByLabelText('Name'), 'Shop');
    await userEvent.click(keyField());
    await userEvent.paste(URL);
    expect(screen.getByLabelText('Database host')).toHaveValue('db.example.com');
    expect(screen.getByLabelText('User')).toHaveValue('app');
    const password = screen.getByLabelText('Password');
    expect(password).toHaveValue('s@cret');
    expect(password).toHaveAttribute('type', 'password');
    expect(screen.getByLabelText('SSL mode')).toHaveValue('require');
    await userEvent.click(screen.getByRole('button', { name: 'Add tunnel' }));
    expect(bridge.commands.addProfile).toHaveBeenCalledWith({
      name: 'Shop',
      kind: 'direct',
      host: '127.0.0.1',
      portMode: 'random',
      autoStart: false,
      tls: true,
      upstream: {
        host: 'db.example.com',
        port: 5432,
        database: 'shop',
        user: 'app',
        sslmode: 'require',
        sslrootcert: null,
        channelBinding: 'prefer',
      },
      warmLogins: 'adaptive',
      password: 's@cret',
    });
    expect(navigate).toHaveBeenCalledWith({ screen: 'detail', profileId: 'new' });
  });

  it('warns while the server of another host goes unchecked, and not once verify-full is chosen', async () => {
    await renderForm();
    await userEvent.click(keyField());
    await userEvent.paste(URL);
    const sslMode = screen.getByLabelText('SSL mode');
    expect(sslMode).toHaveAccessibleDescription(
      /^The connection to db\.example\.com is encrypted, but nothing checks that the server is who it says/,
    );
    await userEvent.selectOptions(sslMode, 'verify-full');
    await userEvent.type(screen.getByLabelText('CA certificate (sslrootcert)'), 'system');
    expect(sslMode).not.toHaveAccessibleDescription(/nothing checks/);
  });

  it('a pasted URL with a mistake: its sentence on the paste field, no fields', async () => {
    await renderForm();
    await userEvent.click(keyField());
    await userEvent.paste('postgres://app@db.example.com/shop?nosuchparam=x');
    await userEvent.tab();
    expect(keyField()).toHaveAccessibleDescription(
      /has nosuchparam, which PG Tunnel cannot act on/,
    );
    expect(screen.queryByLabelText('Database host')).not.toBeInTheDocument();
  });

  it('sent to fix the password: no key field, the password focused, the problem next to it', async () => {
    await renderForm({
      profile: directProfileView(),
      focus: 'password',
      problem: { message: 'PG Tunnel could not log in to “Staging”.', fix: 'edit-password' },
    });
    expect(screen.queryByLabelText('API key or DATABASE_URL')).not.toBeInTheDocument();
    const password = screen.getByLabelText('Password');
    await waitFor(() => expect(password).toHaveFocus());
    expect(password).toHaveAttribute('placeholder', '••••••••');
    expect(password).toHaveAccessibleDescription(/could not log in to “Staging”/);
  });
});
