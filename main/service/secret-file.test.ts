import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { RpcError } from '../../shared/rpc.js';
import { createTestCore, newConfigDir, pastedDirectProfile } from '../testing/app-core.js';
import { filesUnder } from '../testing/files.js';
import { psql } from '../testing/psql.js';
import { SECRETS_FILE_NAME } from './secret-file.js';

// A server, WSL or a container: no session bus at all, so no Secret Service (and no
// scripts/with-keychain.sh around this file's own process: its bus is taken away here).
delete process.env['DBUS_SESSION_BUS_ADDRESS'];

const postgres = inject('postgres');

describe('no OS keychain: the secret file, chosen in one explicit step', () => {
  it('without the step nothing is written and the sentence offers the file; after it, the password is kept in an owner-only file, survives a restart of the core, and the tunnel logs in with it', async () => {
    const configDir = await newConfigDir();
    const input = pastedDirectProfile('Production', postgres.url);
    let first = await createTestCore(configDir);
    try {
      const refused = await first.core.commands.addProfile(input).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(RpcError);
      expect(refused).toMatchObject({
        field: 'secretInFile',
        message: expect.stringMatching(
          /^No OS keychain is available.*save the profile with "Keep it in a file instead" to keep its secret in an owner-only file \(docs\/no-keychain\.md\)\.$/,
        ),
      });
      // Never silently: no profile, and no secret anywhere on disk.
      expect((await first.core.commands.getSnapshot()).profiles).toEqual([]);
      for (const file of await filesUnder(configDir)) {
        expect(file.content.toString('latin1'), file.path).not.toContain(postgres.password);
      }
      await expect(stat(join(configDir, SECRETS_FILE_NAME))).rejects.toMatchObject({
        code: 'ENOENT',
      });

      const added = await first.core.commands.addProfile({ ...input, secretInFile: true });
      const file = join(configDir, SECRETS_FILE_NAME);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await readFile(file, 'utf8')).toContain(postgres.password);
      expect(await readFile(join(configDir, 'profiles.json'), 'utf8')).not.toContain(
        postgres.password,
      );

      await first.core.dispose();
      first = await createTestCore(configDir);
      const started = await first.core.commands.startTunnel(added.id);
      expect(started).toMatchObject({ status: 'listening', problem: null });
      const result = await psql(started.host!, started.port!, ['-c', 'select current_user']);
      expect(result).toMatchObject({ code: 0, stdout: `${postgres.user}\n` });

      // A new password saved on edit goes where the first one went, with no step again.
      await first.core.commands.updateProfile(added.id, { name: 'Production', password: 'next' });
      expect(await readFile(file, 'utf8')).toContain('"next"');

      // A duplicate keeps its copy in the file too, with no step again.
      const copy = await first.core.commands.duplicateProfile(added.id);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
        secrets: { [added.id]: 'next', [copy.id]: 'next' },
      });

      // Deleting a profile deletes its secret; the keychain that is not there is not asked.
      await first.core.commands.deleteProfile(added.id);
      await first.core.commands.deleteProfile(copy.id);
      expect(await readFile(file, 'utf8')).not.toContain('next');
    } finally {
      await first.core.dispose();
    }
  });
});
