import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_URL, DEFAULT_LOCAL_TLS } from '../../../../shared/profile.js';
import { directProfileView, profileView } from '../../testing/fixtures.js';
import {
  formKind,
  hostWarning,
  initialValues,
  withPasted,
  toProfileInput,
  validateForm,
  type ProfileFormValues,
} from './profile-form-model.js';

const KEY = 'abcdefghijklmnop-key';
const add = { kind: 'tunnel', editing: false } as const;
const edit = { kind: 'tunnel', editing: true } as const;

function values(overrides: Partial<ProfileFormValues> = {}): ProfileFormValues {
  return { ...initialValues(), name: 'Prod', apiKey: KEY, ...overrides };
}

describe('the profile form model', () => {
  it('starts a new profile on the default gateway, loopback, a random port and TLS on', () => {
    expect(initialValues()).toMatchObject({
      name: '',
      apiKey: '',
      gatewayUrl: DEFAULT_GATEWAY_URL,
      host: '127.0.0.1',
      portMode: 'random',
      port: '',
      autoStart: false,
      tls: DEFAULT_LOCAL_TLS,
    });
  });

  it('starts an edit from the saved profile, never with the key', () => {
    const form = initialValues(
      profileView({ portMode: 'fixed', port: 6543, autoStart: true, tls: false }),
    );
    expect(form).toMatchObject({ name: 'Staging', apiKey: '', port: '6543', portMode: 'fixed' });
    expect(form.autoStart).toBe(true);
    expect(form.tls).toBe(false);
  });

  it('sends trimmed text, the key as pasted, and no port when random', () => {
    expect(toProfileInput(values({ name: '  Prod  ', gatewayUrl: ' ws://gw/ws ' }), add)).toEqual({
      name: 'Prod',
      apiKey: KEY,
      gatewayUrl: 'ws://gw/ws',
      host: '127.0.0.1',
      portMode: 'random',
      autoStart: false,
      tls: DEFAULT_LOCAL_TLS,
    });
  });

  it('on edit, an empty key field leaves the key out (keep the saved one)', () => {
    expect(toProfileInput(values({ apiKey: '' }), edit)).not.toHaveProperty('apiKey');
    expect(toProfileInput(values({ apiKey: '   ' }), edit)).not.toHaveProperty('apiKey');
    expect(validateForm(values({ apiKey: '' }), edit)).toEqual({});
    expect(toProfileInput(values({ apiKey: KEY }), edit).apiKey).toBe(KEY);
  });

  it('requires a key when adding', () => {
    expect(validateForm(values({ apiKey: '' }), add).apiKey).toMatch(/empty/);
  });

  it('takes the key out of a pasted DATABASE_URL without complaint', () => {
    const url = `prisma+postgres://accelerate.prisma-data.net/?api_key=${KEY}`;
    expect(validateForm(values({ apiKey: url }), add)).toEqual({});
  });

  it('reads a fixed port as digits only, and names anything else', () => {
    expect(toProfileInput(values({ portMode: 'fixed', port: ' 6543 ' }), add).port).toBe(6543);
    expect(validateForm(values({ portMode: 'fixed', port: '' }), add).port).toMatch(/1 to 65535/);
    expect(validateForm(values({ portMode: 'fixed', port: '12ab' }), add).port).toBeDefined();
    expect(validateForm(values({ portMode: 'fixed', port: '1e3' }), add).port).toBeDefined();
    expect(validateForm(values({ portMode: 'fixed', port: '70000' }), add).port).toBeDefined();
    expect(validateForm(values({ portMode: 'random', port: 'junk' }), add)).toEqual({});
  });

  it('names each field at fault with a sentence', () => {
    const errors = validateForm(
      values({ name: ' ', apiKey: 'short', gatewayUrl: 'https://x', host: 'a b' }),
      add,
    );
    expect(Object.keys(errors).sort()).toEqual(['apiKey', 'gatewayUrl', 'host', 'name']);
  });

  it('the playground sends neither key nor gateway', () => {
    const input = toProfileInput(values({ apiKey: 'x' }), { kind: 'playground', editing: true });
    expect(input).not.toHaveProperty('apiKey');
    expect(input).not.toHaveProperty('gatewayUrl');
  });

  it('warns about a host that is not loopback, naming the secret at stake', () => {
    expect(hostWarning('127.0.0.1', 'tunnel')).toBeUndefined();
    expect(hostWarning('localhost', 'tunnel')).toBeUndefined();
    expect(hostWarning('', 'tunnel')).toBeUndefined();
    expect(hostWarning('0.0.0.0', 'tunnel')).toMatch(/^Anyone who can reach 0\.0\.0\.0.*your key/);
    expect(hostWarning('0.0.0.0', 'direct')).toMatch(/with your password/);
  });
});

describe('the profile form model, for a direct profile', () => {
  const URL =
    'postgres://app:s%40cret@db.example.com:6543/shop?sslmode=verify-full&sslrootcert=system&schema=public';

  it('a pasted postgres:// URL makes a direct profile and fills its fields, its password too', () => {
    const { values: pasted, ignored } = withPasted(values({ apiKey: '' }), URL);
    expect(formKind(pasted, add)).toBe('direct');
    expect(ignored).toEqual(['schema']);
    expect(toProfileInput(pasted, add)).toEqual({
      name: 'Prod',
      kind: 'direct',
      host: '127.0.0.1',
      portMode: 'random',
      autoStart: false,
      tls: DEFAULT_LOCAL_TLS,
      upstream: {
        host: 'db.example.com',
        port: 6543,
        database: 'shop',
        user: 'app',
        sslmode: 'verify-full',
        sslrootcert: 'system',
        channelBinding: 'prefer',
      },
      warmLogins: 'adaptive',
      password: 's@cret',
    });
    expect(validateForm(pasted, add)).toEqual({});
  });

  it('the fields, once filled, are what is sent: edits win over the pasted URL', () => {
    const { values: pasted } = withPasted(values(), URL);
    const edited = { ...pasted, 'upstream.database': 'reports', password: 'other' };
    expect(toProfileInput(edited, add)).toMatchObject({
      upstream: { database: 'reports' },
      password: 'other',
    });
  });

  it('a database URL with a mistake is named on the paste field alone', () => {
    const { values: pasted } = withPasted(values(), 'postgres://app@/shop');
    expect(validateForm(pasted, add)).toEqual({
      apiKey: 'The pasted URL names no host (postgres://user@HOST/database).',
    });
  });

  it('on edit, the fields start from the saved profile, the password empty (kept unless typed)', () => {
    const profile = directProfileView({
      upstream: { ...directProfileView().upstream!, sslmode: 'require', sslrootcert: null },
    });
    const form = initialValues(profile);
    const mode = { kind: 'direct', editing: true } as const;
    expect(form).toMatchObject({
      'upstream.host': 'db.example.com',
      'upstream.port': '5432',
      password: '',
    });
    expect(toProfileInput(form, mode)).not.toHaveProperty('password');
    expect(toProfileInput(form, mode)).not.toHaveProperty('kind');
    expect(toProfileInput({ ...form, 'upstream.port': 'x' }, mode).upstream?.port).toBeNaN();
    expect(validateForm({ ...form, 'upstream.port': 'x' }, mode)).toEqual({
      'upstream.port': 'The database port is a number from 1 to 65535.',
    });
  });
});

describe('the profile form keeps every parameter a pasted string had', () => {
  const pasted =
    'postgresql://app:pw@primary.example.com:5433,standby.example.com:5434/shop' +
    '?target_session_attrs=read-write&sslmode=verify-full&sslrootcert=system' +
    '&sslcert=/home/ada/client.crt&sslkey=/home/ada/client.key&sslpassword=k3y' +
    '&options=-c%20search_path%3Dapp&keepalives_idle=30&sslnegotiation=direct&connect_timeout=5';

  it('shows the host list, target_session_attrs, the client certificate, the options; the passphrase goes as a secret', () => {
    const { values: filled } = withPasted(values({ apiKey: '' }), pasted);
    expect(filled).toMatchObject({
      'upstream.host': 'primary.example.com',
      'upstream.port': '5433',
      'upstream.hosts': 'standby.example.com:5434',
      'upstream.targetSessionAttrs': 'read-write',
      'upstream.sslcert': '/home/ada/client.crt',
      'upstream.sslkey': '/home/ada/client.key',
      'upstream.options': '-c search_path=app',
      sslPassword: 'k3y',
    });
    const input = toProfileInput(filled, add);
    expect(input.sslPassword).toBe('k3y');
    expect(input.password).toBe('pw');
    expect(input.upstream).toMatchObject({
      host: 'primary.example.com',
      port: 5433,
      hosts: [
        { host: 'primary.example.com', port: 5433 },
        { host: 'standby.example.com', port: 5434 },
      ],
      targetSessionAttrs: 'read-write',
      sslcert: '/home/ada/client.crt',
      sslkey: '/home/ada/client.key',
      options: '-c search_path=app',
      // No field for these: kept as the string said.
      keepalivesIdle: 30,
      sslnegotiation: 'direct',
      connectTimeout: 5,
    });
    expect(JSON.stringify(input.upstream)).not.toContain('k3y');
    expect(validateForm(filled, add)).toEqual({});
  });

  it('a saved profile edited and saved again loses nothing; a standby added by hand is a host:port', () => {
    const { values: filled } = withPasted(values({ apiKey: '' }), pasted);
    const saved = toProfileInput(filled, add).upstream!;
    const again = initialValues(directProfileView({ upstream: saved }));
    expect(toProfileInput(again, { kind: 'direct', editing: true }).upstream).toEqual(saved);
    const more = { ...again, 'upstream.hosts': 'standby.example.com:5434, [::1]:6000, third' };
    expect(toProfileInput(more, { kind: 'direct', editing: true }).upstream!.hosts).toEqual([
      { host: 'primary.example.com', port: 5433 },
      { host: 'standby.example.com', port: 5434 },
      { host: '::1', port: 6000 },
      { host: 'third', port: 5432 },
    ]);
    expect(
      validateForm({ ...again, 'upstream.hosts': 'standby:x' }, { kind: 'direct', editing: true }),
    ).toHaveProperty('upstream.hosts');
  });
});
