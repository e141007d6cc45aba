import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { BridgeProvider } from '../app/bridge-context.js';
import { NoticeProvider } from '../app/notices.js';
import { NoticeBar } from '../components/notice-bar.js';
import type { WindowBridge } from '../bridge/window-bridge.js';

/**
 * Renders a component as the app would: with a bridge, and the notice bar for failures. A
 * wrapper, so that `rerender` keeps both.
 */
export function renderWithBridge(ui: ReactElement, bridge: WindowBridge): RenderResult {
  return render(ui, {
    wrapper: ({ children }: { children: ReactNode }) => (
      <BridgeProvider bridge={bridge}>
        <NoticeProvider>
          {children}
          <NoticeBar />
        </NoticeProvider>
      </BridgeProvider>
    ),
  });
}
