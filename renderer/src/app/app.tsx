import { useCallback, useEffect, useState } from 'react';
import type { AppSnapshot } from '../../../shared/rpc.js';
import type { WindowBridge } from '../bridge/window-bridge.js';
import { ConnectionBanner } from '../components/connection-banner.js';
import { NoticeBar } from '../components/notice-bar.js';
import { TunnelDetailScreen } from '../screens/detail/tunnel-detail-screen.js';
import { ProfileFormScreen } from '../screens/profile-form/profile-form-screen.js';
import { SettingsScreen } from '../screens/settings/settings-screen.js';
import { TunnelsScreen } from '../screens/tunnels/tunnels-screen.js';
import { BridgeProvider } from './bridge-context.js';
import { DesktopEvents } from './desktop-events.js';
import { NoticeProvider } from './notices.js';
import type { Navigate, Route } from './route.js';
import { useAppState } from './use-app-state.js';
import './app.css';

/** The tray window: the screen the route names, over the latest snapshot. */
export function App({ bridge }: { bridge: WindowBridge }) {
  const { snapshot, connection, loadError, retry } = useAppState(bridge);
  const [route, setRoute] = useState<Route>({ screen: 'tunnels' });
  const [navigated, setNavigated] = useState(false);
  const navigate = useCallback<Navigate>((next) => {
    setRoute(next);
    setNavigated(true);
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape' && !event.defaultPrevented && route.screen !== 'tunnels') {
        navigate(backFrom(route));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [route, navigate]);

  return (
    <BridgeProvider bridge={bridge}>
      <NoticeProvider>
        <DesktopEvents navigate={navigate} />
        <div className="app" data-connection={connection}>
          <ConnectionBanner connection={connection} />
          <main className="app-main">
            {snapshot ? (
              <Screen
                key={JSON.stringify(route)}
                route={route}
                snapshot={snapshot}
                navigate={navigate}
                navigated={navigated}
              />
            ) : (
              <LoadingScreen error={loadError} onRetry={retry} />
            )}
          </main>
          <NoticeBar />
        </div>
      </NoticeProvider>
    </BridgeProvider>
  );
}

function backFrom(route: Route): Route {
  if (route.screen === 'form' && route.profileId) {
    return { screen: 'detail', profileId: route.profileId };
  }
  return { screen: 'tunnels' };
}

function Screen({
  route,
  snapshot,
  navigate,
  navigated,
}: {
  route: Route;
  snapshot: AppSnapshot;
  navigate: Navigate;
  navigated: boolean;
}) {
  const profileId = route.screen === 'detail' || route.screen === 'form' ? route.profileId : '';
  const profile = snapshot.profiles.find((p) => p.id === profileId);
  switch (route.screen) {
    case 'detail':
      if (profile) {
        return (
          <TunnelDetailScreen
            profile={profile}
            state={snapshot.tunnels[profile.id]}
            navigate={navigate}
          />
        );
      }
      break; // deleted meanwhile: back to the list
    case 'form':
      if (profile || !route.profileId) {
        return (
          <ProfileFormScreen
            profile={profile}
            focus={route.focus}
            problem={profile ? snapshot.tunnels[profile.id]?.problem : null}
            platform={snapshot.platform}
            navigate={navigate}
          />
        );
      }
      break;
    case 'settings':
      return (
        <SettingsScreen
          settings={snapshot.settings}
          version={snapshot.version}
          navigate={navigate}
        />
      );
    case 'tunnels':
      break;
  }
  return <TunnelsScreen snapshot={snapshot} navigate={navigate} focusTitle={navigated} />;
}

/** Until the first snapshot: "Connecting…", or why it could not be read, with Retry. */
function LoadingScreen({ error, onRetry }: { error: string | undefined; onRetry: () => void }) {
  return (
    <div className="loading-screen" role={error ? 'alert' : 'status'}>
      {error ? (
        <>
          <h1 className="loading-title">PG Tunnel is not running</h1>
          <p>{error}</p>
          <button type="button" className="button" onClick={onRetry}>
            Retry
          </button>
        </>
      ) : (
        <p className="muted">Connecting to PG Tunnel…</p>
      )}
    </div>
  );
}
