/** Which screen the window shows. The tunnel list doubles as the first-run screen when empty. */
export type Route =
  | { screen: 'tunnels' }
  | { screen: 'detail'; profileId: string }
  | { screen: 'form'; profileId?: string; focus?: 'apiKey' | 'port' }
  | { screen: 'settings' };

export type Navigate = (route: Route) => void;
