import {
  DEFAULT_GATEWAY_URL,
  DEFAULT_HOST,
  DEFAULT_LOCAL_TLS,
  isLoopbackHost,
  validateProfileInput,
  type ProfileErrors,
  type ProfileInput,
  type ProfileKind,
  type ProfileView,
} from '../../../../shared/profile.js';

/** The form as the user sees it: every field a string or a flag, exactly as typed. */
export interface ProfileFormValues {
  name: string;
  /** Empty on edit: the saved key is kept. */
  apiKey: string;
  gatewayUrl: string;
  host: string;
  portMode: 'random' | 'fixed';
  port: string;
  autoStart: boolean;
  /** TLS on the local port for clients that ask for it. */
  tls: boolean;
}

export type ProfileField = keyof ProfileFormValues;

/** What the form is for: a new remote profile, or editing a saved one (remote or the playground). */
export interface FormMode {
  kind: ProfileKind;
  editing: boolean;
}

export function initialValues(profile?: ProfileView): ProfileFormValues {
  return {
    name: profile?.name ?? '',
    apiKey: '',
    gatewayUrl: profile?.gatewayUrl || DEFAULT_GATEWAY_URL,
    host: profile?.host ?? DEFAULT_HOST,
    portMode: profile?.portMode ?? 'random',
    port: profile?.port === null || profile?.port === undefined ? '' : String(profile.port),
    autoStart: profile?.autoStart ?? false,
    tls: profile?.tls ?? DEFAULT_LOCAL_TLS,
  };
}

/** A port as typed: digits only, else NaN so that validation names it. */
function parsePort(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') {
    return null;
  }
  return /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
}

/**
 * What goes to addProfile/updateProfile. The playground has no key or gateway to set, and an empty
 * key field on edit means "keep the saved key", so it is left out.
 */
export function toProfileInput(values: ProfileFormValues, mode: FormMode): ProfileInput {
  const input: ProfileInput = {
    name: values.name.trim(),
    host: values.host.trim(),
    portMode: values.portMode,
    autoStart: values.autoStart,
    tls: values.tls,
  };
  if (values.portMode === 'fixed') {
    input.port = parsePort(values.port);
  }
  if (mode.kind === 'remote') {
    input.gatewayUrl = values.gatewayUrl.trim();
    if (!mode.editing || values.apiKey.trim() !== '') {
      input.apiKey = values.apiKey;
    }
  }
  return input;
}

/** The same validation as the core's, on what the form would send: a sentence per field at fault. */
export function validateForm(values: ProfileFormValues, mode: FormMode): ProfileErrors {
  return validateProfileInput(toProfileInput(values, mode), { requireKey: !mode.editing });
}

/** Shown under the host field: a non-loopback address exposes the database. */
export function hostWarning(host: string): string | undefined {
  const trimmed = host.trim();
  if (trimmed === '' || isLoopbackHost(trimmed)) {
    return undefined;
  }
  return `Anyone who can reach ${trimmed} can use this database through the tunnel, with your key. Use 127.0.0.1 unless you mean to share it.`;
}

/** The fields in the order they appear, to focus the first one at fault. */
export const FIELD_ORDER: readonly ProfileField[] = [
  'name',
  'apiKey',
  'autoStart',
  'gatewayUrl',
  'host',
  'portMode',
  'port',
  'tls',
];

/** Fields inside the "Advanced" disclosure, which must be open to show their errors. */
export const ADVANCED_FIELDS: ReadonlySet<string> = new Set([
  'gatewayUrl',
  'host',
  'portMode',
  'port',
  'tls',
]);
