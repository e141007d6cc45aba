import { createHash } from 'node:crypto';

/** The md5 password answer: 'md5' + md5(md5(password + user) + salt). */
export function md5PasswordHash(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5')
    .update(password + user)
    .digest('hex');
  return 'md5' + createHash('md5').update(inner).update(salt).digest('hex');
}
