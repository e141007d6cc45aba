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
      {[
        { label: 'Start all', ids: stopped, start: true },
        { label: 'Stop all', ids: running, start: false },
      ].map(({ label, ids, start }) => (
        <button
          key={label}
          type="button"
          className="button button-small"
          disabled={all.pending || ids.length === 0}
          onClick={() =>
            void all.run(
              ids.map((p) => p.id),
              start,
            )
          }
        >
          {label}
        </button>
      ))}
    </div>
  );
}
