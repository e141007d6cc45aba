import type { AppSnapshot } from '../../../../shared/rpc.js';
import { isRunning } from '../../../../shared/tunnel-state.js';
import { useBridge } from '../../app/bridge-context.js';
import { useAction } from '../../hooks/use-action.js';

/**
 * "Start all" and "Stop all", for two tunnels or more: each starts the stopped ones (or stops the
 * running ones) one by one; a tunnel that fails shows it on its card, the others go on.
 */
export function StartStopAll({ snapshot }: { snapshot: AppSnapshot }) {
  const bridge = useBridge();
  const stopped = snapshot.profiles.filter((p) => !isRunning(snapshot.tunnels[p.id]));
  const running = snapshot.profiles.filter((p) => isRunning(snapshot.tunnels[p.id]));
  const all = useAction(async (ids: string[], start: boolean) => {
    await Promise.allSettled(
      ids.map((id) => (start ? bridge.startTunnel(id) : bridge.stopTunnel(id))),
    );
  });
  if (snapshot.profiles.length < 2) {
    return null;
  }
  return (
    <div className="start-stop-all" role="group" aria-label="All tunnels">
      <button
        type="button"
        className="button button-small"
        disabled={all.pending || stopped.length === 0}
        onClick={() =>
          void all.run(
            stopped.map((p) => p.id),
            true,
          )
        }
      >
        Start all
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={all.pending || running.length === 0}
        onClick={() =>
          void all.run(
            running.map((p) => p.id),
            false,
          )
        }
      >
        Stop all
      </button>
    </div>
  );
}
