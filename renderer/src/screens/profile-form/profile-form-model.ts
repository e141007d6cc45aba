import {
  DEFAULT_GATEWAY_URL,
  DEFAULT_HOST,
  DEFAULT_LOCAL_TLS,
  validateProfileInput,
  type ProfileErrors,
  type ProfileInput,
  type ProfileKind,
  type ProfileView,
} from '../../../../shared/profile.js';
import { isConnectionString } from '../../../../shared/connection-string.js';
import { readConnectionInput } from '../../../../shared/connection-input.js';
import { isLoopbackHost } from '../../../../shared/loopback.js';
import {
  DIRECT_FIELDS,
  directValuesOf,
  pastedConnection,
  upstreamOf,
  type DirectFormValues,
} from './direct-form-model.js';

/** The form as the user sees it: every field a string or a flag, exactly as typed. */
export interface ProfileFormValues extends DirectFormValues {
  name: string;
  /**
   * Adding: what was pasted (an API key, a DATABASE_URL, or a postgres:// URL, which makes a
   * direct profile and fills its fields). Editing a tunnel: its key; empty keeps the saved one.
   */
  apiKey: string;
  gatewayUrl: string;
  host: string;
  portMode: 'random' | 'fixed';
  port: string;
  autoStart: boolean;
  /** TLS on the local port for clients that ask for it. */
  tls: boolean;
  /** The local port asks a password of its own (Profile.localLogin). */
  localLogin: boolean;
  /** A direct profile's warm logins are adaptive (Profile.warmLogins); unchecked, off. */
  warmLogins: boolean;
  /** Adding from a file's connection ("Add from…"): its ConnectionSource id, else ''. */
  passwordFrom: string;
}

export type ProfileField = keyof ProfileFormValues;

/** What the form is for: a new profile (a tunnel until a database URL is pasted), or a saved one. */
export interface FormMode {
  kind: ProfileKind;
  editing: boolean;
  /** The platform whose keychain will hold the secret (AppSnapshot.platform). */
  platform?: string;
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
    localLogin: profile?.localLogin ?? false,
    warmLogins: profile?.warmLogins !== 'off',
    passwordFrom: '',
    ...directValuesOf(profile?.upstream),
  };
}

/** The kind the form makes: a saved profile's own; when adding, what the pasted value is. */
export function formKind(values: ProfileFormValues, mode: FormMode): ProfileKind {
  if (mode.editing) {
    return mode.kind;
  }
  return isConnectionString(values.apiKey) ? 'direct' : 'tunnel';
}

/**
 * The values after `text` was typed or pasted into the add form's first field: a valid connection
 * string fills the direct fields (its password too); `ignored` names its client settings.
 */
export function withPasted(
  values: ProfileFormValues,
  text: string,
): { values: ProfileFormValues; ignored: string[] } {
  const pasted = pastedConnection(text);
  // Whatever was picked from "Add from…" before is replaced by what is pasted now.
  return pasted
    ? {
        values: { ...values, ...pasted.values, apiKey: text, passwordFrom: '' },
        ignored: pasted.ignored,
      }
    : { values: { ...values, apiKey: text, passwordFrom: '' }, ignored: [] };
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
 * What goes to addProfile/updateProfile. The playground has no key or gateway to set; a direct
 * profile sends its fields, not the pasted URL; an empty key or password field on edit means
 * "keep the saved one", so it is left out.
 */
export function toProfileInput(values: ProfileFormValues, mode: FormMode): ProfileInput {
  const input: ProfileInput = {
    name: values.name.trim(),
    host: values.host.trim(),
    portMode: values.portMode,
    autoStart: values.autoStart,
    tls: values.tls,
  };
  // Sent when on, or on edit (where off may turn it off); a new profile has it off anyway.
  if (values.localLogin || mode.editing) {
    input.localLogin = values.localLogin;
  }
  if (values.portMode === 'fixed') {
    input.port = parsePort(values.port);
  }
  const kind = formKind(values, mode);
  if (kind === 'tunnel') {
    input.gatewayUrl = values.gatewayUrl.trim();
    if (!mode.editing || values.apiKey.trim() !== '') {
      input.apiKey = values.apiKey;
    }
  }
  if (kind === 'direct') {
    if (!mode.editing) {
      input.kind = 'direct';
    }
    input.upstream = upstreamOf(values);
    input.warmLogins = values.warmLogins ? 'adaptive' : 'off';
    if (values.password !== '') {
      input.password = values.password;
    }
    if (!mode.editing && values.password === '' && values.passwordFrom !== '') {
      input.passwordFrom = values.passwordFrom;
    }
    if (values.sslPassword !== '') {
      input.sslPassword = values.sslPassword;
    }
  }
  return input;
}

/**
 * The same validation as the core's, on what the form would send: a sentence per field at fault.
 * A pasted database URL with a mistake is named on the paste field alone, as its fields were not
 * filled from it.
 */
export function validateForm(values: ProfileFormValues, mode: FormMode): ProfileErrors {
  const kind = formKind(values, mode);
  if (kind === 'direct' && !mode.editing) {
    const pasted = readConnectionInput(values.apiKey, 'The pasted URL');
    if (pasted.kind === 'invalid') {
      return { apiKey: pasted.error };
    }
  }
  return validateProfileInput(toProfileInput(values, mode), {
    kind,
    adding: !mode.editing,
    ...(mode.platform ? { platform: mode.platform } : {}),
  });
}

/** Shown under the host field: a non-loopback address exposes the database. */
export function hostWarning(host: string, kind: ProfileKind): string | undefined {
  const trimmed = host.trim();
  if (trimmed === '' || isLoopbackHost(trimmed)) {
    return undefined;
  }
  const secret = kind === 'direct' ? 'your password' : 'your key';
  return `Anyone who can reach ${trimmed} can use this database through the tunnel, with ${secret}. Use 127.0.0.1 unless you mean to share it.`;
}

/** The fields in the order they appear, to focus the first one at fault. */
export const FIELD_ORDER: readonly ProfileField[] = [
  'name',
  'apiKey',
  ...DIRECT_FIELDS,
  'autoStart',
  'gatewayUrl',
  'host',
  'portMode',
  'port',
  'tls',
  'localLogin',
  'warmLogins',
];

/** Fields inside the "Advanced" disclosure, which must be open to show their errors. */
export const ADVANCED_FIELDS: ReadonlySet<string> = new Set([
  'gatewayUrl',
  'host',
  'portMode',
  'port',
  'tls',
  'localLogin',
  'warmLogins',
]);
