import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBridge } from '../../testing/fake-bridge.js';
import type { ProfileView } from '../../../../shared/profile.js';
import {
  directProfileView,
  localCaCertificate,
  profileView,
  tunnelState,
} from '../../testing/fixtures.js';
import { renderWithBridge } from '../../testing/render.js';
import { ConnectionSection } from './connection-section.js';

const CA = localCaCertificate();

let writeText: ReturnType<typeof vi.fn<(text: string) => Promise<void>>>;
beforeEach(() => {
  writeText = vi.fn(async () => undefined);
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});

function renderSection(tls: boolean, profile: ProfileView = profileView()) {
  const bridge = fakeBridge();
  renderWithBridge(
    <ConnectionSection
      profile={{ ...profile, tls }}
      state={tunnelState({ status: 'listening', port: 54321 })}
    />,
    bridge,
  );
  return bridge;
}

describe('ConnectionSection with TLS on the local port', () => {
  it('offers the verifying presets with the CA file, and the certificate to copy', async () => {
    const bridge = renderSection(true);
    await userEvent.click(await screen.findByText(/TLS, verified with the local CA/));
    expect(
      screen.getByText(
        `psql "postgresql://postgres@127.0.0.1:54321/postgres?sslmode=verify-full&sslrootcert=${CA.path}"`,
      ),
    ).toBeVisible();
    expect(
      screen.getByText(
        `jdbc:postgresql://127.0.0.1:54321/postgres?sslmode=verify-full&sslrootcert=${CA.path}&user=postgres`,
      ),
    ).toBeVisible();
    expect(screen.getByText(CA.path)).toBeVisible();

    await act(() =>
      userEvent.click(screen.getByRole('button', { name: 'Copy certificate (PEM)' })),
    );
    expect(writeText).toHaveBeenCalledWith(CA.pem);
    expect(screen.getByRole('button', { name: 'Certificate copied' })).toBeVisible();
    expect(bridge.commands.getLocalCa).toHaveBeenCalledTimes(1);
  });

  it("a direct profile's verifying presets name its own role and database", async () => {
    renderSection(true, directProfileView());
    await userEvent.click(await screen.findByText(/TLS, verified with the local CA/));
    expect(
      screen.getByText(
        `psql "postgresql://app@127.0.0.1:54321/shop?sslmode=verify-full&sslrootcert=${CA.path}"`,
      ),
    ).toBeVisible();
    expect(
      screen.getByText(
        `jdbc:postgresql://127.0.0.1:54321/shop?sslmode=verify-full&sslrootcert=${CA.path}&user=app`,
      ),
    ).toBeVisible();
    // Its plain presets too, beside them.
    expect(
      screen.getByText('psql "postgresql://app@127.0.0.1:54321/shop?sslmode=disable"'),
    ).toBeVisible();
  });

  it('saves the certificate as a file', async () => {
    renderSection(true);
    await userEvent.click(await screen.findByText(/TLS, verified with the local CA/));
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:ca';
    });
    URL.revokeObjectURL = vi.fn();
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      expect(this.download).toBe('pg-tunnel-local-ca.crt');
      expect(this.href).toBe('blob:ca');
    });
    await userEvent.click(screen.getByRole('button', { name: 'Save certificate…' }));
    expect(clicked).toHaveBeenCalledTimes(1);
    expect(await created[0]!.text()).toBe(CA.pem);
    clicked.mockRestore();
  });

  it('without TLS: no verifying presets, and the CA is not asked for', () => {
    const bridge = renderSection(false);
    expect(screen.queryByText(/TLS, verified/)).not.toBeInTheDocument();
    expect(bridge.commands.getLocalCa).not.toHaveBeenCalled();
  });
});
