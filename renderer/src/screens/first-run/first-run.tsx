import { useBridge } from '../../app/bridge-context.js';
import type { Navigate } from '../../app/route.js';
import { TunnelIcon } from '../../components/icons.js';
import { useAction } from '../../hooks/use-action.js';
import './first-run.css';

/**
 * No tunnels yet: the two ways in. The playground needs no account (a Postgres on this machine
 * behind a real tunnel); its first start creates the database, so it opens on its detail screen
 * where "Starting…" shows while that happens.
 */
export function FirstRun({ navigate }: { navigate: Navigate }) {
  const bridge = useBridge();
  const playground = useAction(async () => {
    const profile = await bridge.createPlayground();
    navigate({ screen: 'detail', profileId: profile.id });
    await bridge.startTunnel(profile.id);
  });

  return (
    <div className="screen-body first-run">
      <div className="first-run-hero">
        <TunnelIcon />
        <h2 className="first-run-title">Welcome to PG Tunnel</h2>
        <p className="first-run-lead">
          A local Postgres port for psql, TablePlus, DBeaver and the rest, leading through an
          authenticated tunnel to your database.
        </p>
      </div>

      <div className="first-run-choice panel">
        <button
          type="button"
          className="button button-primary button-block"
          disabled={playground.pending}
          onClick={() => void playground.run()}
        >
          {playground.pending ? 'Creating the playground…' : 'Try the local playground'}
        </button>
        <p className="first-run-note">
          A Postgres on this machine behind a tunnel: see how it works without an account. The first
          start takes a few seconds.
        </p>
      </div>

      <div className="first-run-choice panel">
        <button
          type="button"
          className="button button-block"
          onClick={() => navigate({ screen: 'form' })}
        >
          Add a tunnel
        </button>
        <p className="first-run-note">Paste the DATABASE_URL or API key of your database.</p>
      </div>
    </div>
  );
}
