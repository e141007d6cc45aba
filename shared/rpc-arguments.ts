import type { ProfileInput } from './profile.js';
import { RPC_ARGUMENTS, type RpcArgumentKind, type RpcCommand } from './rpc.js';

const WORDS: Record<RpcArgumentKind, string> = {
  id: 'an id (a string)',
  profile: 'a profile (an object with a name)',
  settings: 'settings (an object)',
};

/**
 * The type each field of a profile may have when given; name is required. Keyed by ProfileInput's
 * fields, so that a field added there must be added here.
 */
const PROFILE_FIELDS: Record<keyof ProfileInput, readonly string[]> = {
  name: ['string'],
  kind: ['string', 'undefined'],
  gatewayUrl: ['string', 'undefined'],
  host: ['string', 'undefined'],
  port: ['number', 'null', 'undefined'],
  portMode: ['string', 'undefined'],
  autoStart: ['boolean', 'undefined'],
  tls: ['boolean', 'undefined'],
  localLogin: ['boolean', 'undefined'],
  warmLogins: ['string', 'undefined'],
  apiKey: ['string', 'undefined'],
  upstream: ['object', 'undefined'],
  password: ['string', 'undefined'],
  sslPassword: ['string', 'undefined'],
  passwordFrom: ['string', 'undefined'],
  secretInFile: ['boolean', 'undefined'],
};

/**
 * Checks the shape of a command's arguments as they came over a transport (JSON from the control
 * server, structured clones over IPC), before the core reads a field of them: the right number,
 * ids as strings, a profile as an object whose fields have their types. Values are the core's
 * to judge (validateProfileInput); this only keeps a `null` from becoming a TypeError.
 *
 * @returns a sentence naming the command and the argument or field at fault, or undefined.
 */
export function argumentProblem(name: RpcCommand, args: readonly unknown[]): string | undefined {
  const kinds = RPC_ARGUMENTS[name];
  if (args.length > kinds.length) {
    return `${name} takes ${kinds.length === 0 ? 'no arguments' : kinds.map((kind) => WORDS[kind]).join(', then ')}; it got ${args.length}.`;
  }
  for (const [index, kind] of kinds.entries()) {
    const arg = args[index];
    const ok = kind === 'id' ? typeof arg === 'string' : isObject(arg);
    if (!ok) {
      return `${name} takes ${WORDS[kind]} as argument ${index + 1}; it got ${typeName(arg)}.`;
    }
    if (kind === 'profile') {
      const field = Object.entries(PROFILE_FIELDS).find(
        ([field, types]) => !types.includes(typeName((arg as Record<string, unknown>)[field])),
      );
      if (field) {
        const [fieldName, types] = field;
        return `${name}: the profile's ${fieldName} must be ${types.filter((t) => t !== 'undefined').join(' or ')}; it is ${typeName((arg as Record<string, unknown>)[fieldName])}.`;
      }
    }
  }
  return undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** typeof, with null and arrays told apart from objects. */
function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
