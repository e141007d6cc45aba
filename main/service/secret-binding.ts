import type { Profile } from '../../shared/profile.js';
import type { TunnelProblem } from '../../shared/tunnel-state.js';
import type { ConfigBackend } from './profile-store.js';

/**
 * Where a profile's saved secret goes when its tunnel dials: a tunnel's gateway URL, a direct
 * profile's database host and port; undefined for the playground, whose key is its own.
 */
export function secretDestination(profile: Omit<Profile, 'id'>): string | undefined {
  if (profile.kind === 'tunnel') {
    return profile.gatewayUrl;
  }
  if (profile.kind === 'direct' && profile.upstream) {
    const { host, port } = profile.upstream;
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  return undefined;
}

/**
 * The destination each saved secret was given for, by profile id: a secret goes only there.
 * Kept in the profiles file beside the profiles (a destination is no secret), not in the
 * keychain: the binding is the sender's rule, whatever store holds the secret.
 */
export class SecretBindings {
  constructor(private readonly config: ConfigBackend) {}

  /** The destination the secret of `id` was saved for; undefined when none was recorded. */
  get(id: string): string | undefined {
    return this.all()[id];
  }

  /** Records that the secret of `id` may go to `destination` (and nowhere else). */
  bind(id: string, destination: string): void {
    this.config.set('secretBindings', { ...this.all(), [id]: destination });
  }

  forget(id: string): void {
    const { [id]: _gone, ...rest } = this.all();
    this.config.set('secretBindings', rest);
  }

  private all(): Record<string, string> {
    return this.config.get('secretBindings') ?? {};
  }
}

/**
 * A profile's destination changed after its secret was saved: the secret is not sent until the
 * user enters it again or confirms the new destination (the RPC command confirmSecretDestination).
 */
export class SecretDestinationChanged extends Error {
  override readonly name = 'SecretDestinationChanged';
  readonly problem: TunnelProblem;

  constructor(profile: Profile, savedFor: string, now: string) {
    const what = profile.kind === 'direct' ? 'password' : 'API key';
    const sentence =
      `The saved ${what} of “${profile.name}” was saved for ${savedFor}, and the ${profile.kind === 'direct' ? 'database' : 'gateway'} is now ${now}: ` +
      `PG Tunnel does not send it there until you enter it again or confirm that it goes to ${now}.`;
    super(sentence);
    this.problem = { message: sentence, fix: 'confirm-destination', destination: now };
  }
}
