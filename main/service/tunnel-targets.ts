import type { Profile } from '../../shared/profile.js';
import { upstreamTargetOf } from '../upstream/target.js';
import type { Credentials } from './credentials.js';
import type { Playground } from './playground/index.js';
import type { TargetResolver, TunnelTarget } from './tunnel-manager.js';

/**
 * Where each profile's tunnel leads, for the TunnelManager: the playground's own gateway; a
 * tunnel's gateway URL with its saved key (undefined when none is saved); a direct profile's
 * database, with the saved password if there is one (a server may ask none: it says so when it
 * does); with the profile's local login on, its local password. Secrets come from `credentials`,
 * which holds each to the destination it was saved for.
 *
 * @returns a resolver that throws SecretDestinationChanged (nothing is dialled) when a profile's
 *   destination changed since its secret was saved, and the store's errors when it cannot be read.
 */
export function tunnelTargets(credentials: Credentials, playground: Playground): TargetResolver {
  return async (profile: Profile): Promise<TunnelTarget | undefined> => {
    const localPassword = profile.localLogin
      ? await credentials.localPassword(profile.id)
      : undefined;
    if (profile.kind === 'playground') {
      const target = await playground.target(profile.id);
      return target && { ...target, localPassword };
    }
    const secret = await credentials.forDial(profile);
    if (profile.kind === 'direct') {
      const by = { kind: 'direct' as const, profile: profile.name };
      const sslPassword = await credentials.sslPassword(profile.id);
      return {
        route: {
          direct: upstreamTargetOf(profile.upstream!, secret, by, sslPassword),
          ...(profile.warmLogins === 'off' ? { maxWarmLogins: 0 } : {}),
        },
        localPassword,
      };
    }
    return secret === undefined
      ? undefined
      : { route: { apiKey: secret, gatewayUrl: profile.gatewayUrl }, localPassword };
  };
}
