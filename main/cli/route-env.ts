import { parseApiKeyInput } from '../../shared/api-key.js';
import { UsageError } from './usage-error.js';

/** The reference client's order: PDP_API_KEY, else the api_key of DATABASE_URL. */
export function apiKeyFromEnvironment(env: NodeJS.ProcessEnv): string {
  const fromKey = env['PDP_API_KEY'];
  if (fromKey !== undefined) {
    return unwrap(parseApiKeyInput(fromKey, 'PDP_API_KEY'));
  }
  const url = env['DATABASE_URL'];
  if (url !== undefined) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim())) {
      throw new UsageError(
        'DATABASE_URL is not a URL: expected prisma+postgres://accelerate.prisma-data.net/?api_key=...',
      );
    }
    return unwrap(parseApiKeyInput(url, 'DATABASE_URL'));
  }
  throw new UsageError(
    'No API key found: set PDP_API_KEY, or DATABASE_URL to a prisma+postgres:// URL with an api_key (in the environment or in .env).',
  );
}

function unwrap(result: ReturnType<typeof parseApiKeyInput>): string {
  if (!result.ok) {
    throw new UsageError(result.error);
  }
  return result.apiKey;
}
