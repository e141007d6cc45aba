import { useState } from 'react';
import type { ProfileView } from '../../../shared/profile.js';
import type { TunnelState } from '../../../shared/tunnel-state.js';
import { useBridge } from '../app/bridge-context.js';
import { isRunning } from '../../../shared/tunnel-state.js';
import { useAction } from '../hooks/use-action.js';
import './switch-thumb.css';
import './tunnel-switch.css';

/**
 * Starts and stops one tunnel. It flips as soon as it is clicked and follows the core's state once
 * the command returns; a tunnel still starting can be stopped (the first playground start is slow).
 */
export function TunnelSwitch({
  profile,
  state,
}: {
  profile: ProfileView;
  state: TunnelState | undefined;
}) {
  const bridge = useBridge();
  const [intent, setIntent] = useState<boolean | undefined>();
  const { run } = useAction(async (on: boolean) =>
    on ? bridge.startTunnel(profile.id) : bridge.stopTunnel(profile.id),
  );
  const checked = intent ?? isRunning(state);

  const toggle = async (): Promise<void> => {
    const next = !checked;
    setIntent(next);
    await run(next);
    setIntent(undefined);
  };

  return (
    <button
      type="button"
      role="switch"
      className="tunnel-switch"
      aria-checked={checked}
      aria-label={`Run ${profile.name}`}
      // Another process runs it (the playground started from a terminal): it is stopped there.
      disabled={state?.runBy !== undefined}
      title={
        state?.runBy !== undefined
          ? `Run by ${state.runBy}: stop it there`
          : checked
            ? 'Stop the tunnel'
            : 'Start the tunnel'
      }
      onClick={() => void toggle()}
    >
      <span className="tunnel-switch-thumb" aria-hidden="true" />
    </button>
  );
}
