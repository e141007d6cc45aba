/** Which screen the window shows. The tunnel list doubles as the first-run screen when empty. */
export type Route =
  | { screen: 'tunnels' }
  | { screen: 'detail'; profileId: string }
  | { screen: 'form'; profileId?: string; focus?: FormFocus }
  | { screen: 'settings' };

export type Navigate = (route: Route) => void;

/** The form field a fix sends the user to: the key, a direct profile's password, the port. */
export type FormFocus = 'apiKey' | 'password' | 'port';
