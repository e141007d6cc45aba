import type { z } from 'zod';

/**
 * Words for zod's generic issues in the files people edit (the gateway's config, profiles.json),
 * as their sentences end: "keys[0].maxSessions must be more than 0". Passed to `safeParse` as its error map, so a field's own message in the
 * schema still wins (zod's order: schema, then parse, then global).
 */
export function configIssueWords(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return 'is missing';
      }
      return `must be ${kindOf(String(issue.expected))}`;
    case 'too_small':
      if (issue.origin === 'array') {
        return `must list at least ${issue.minimum}`;
      }
      if (issue.origin === 'string') {
        return 'must not be empty';
      }
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    default:
      return undefined;
  }
}

/**
 * One issue as the end of a sentence, its field named by path: `keys[0].maxSesions is not a
 * known field`, `listen.port must be at most 65535`.
 */
export function configIssueSentence(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map((key) => fieldName([...issue.path, key]));
    return fields.length === 1
      ? `${fields[0]} is not a known field`
      : `${fields.join(', ')} are not known fields`;
  }
  return `${fieldName(issue.path)} ${issue.message}`;
}

/** `keys[0].upstream` for ['keys', 0, 'upstream']; "the config" for the top level. */
function fieldName(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (name, part) =>
        typeof part === 'number'
          ? `${name}[${part}]`
          : name
            ? `${name}.${String(part)}`
            : String(part),
      '',
    ) || 'the config'
  );
}

const KIND: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function kindOf(expected: string): string {
  return KIND[expected] ?? expected;
}
