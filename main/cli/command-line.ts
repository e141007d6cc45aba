import { UsageError } from './usage-error.js';

/**
 * Runs `parse` (a `parseArgs` call) and turns what node:util's parseArgs refuses into one
 * sentence that points at `command --help`: an unknown option, an option without its value (or
 * followed by another option, which parseArgs's strict mode refuses rather than take `--help` as
 * the value of `--url`), a value given to a flag, an argument the command does not take.
 *
 * @param command as the user types it, e.g. "pg-tunnel gateway".
 * @throws UsageError for those; anything else as it came.
 */
export function parseCommandLine<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const sentence = refusal(error as Error & { code?: string });
    if (sentence === undefined) {
      throw error;
    }
    throw new UsageError(`${sentence}: see ${command} --help.`);
  }
}

/** Refuses positional arguments beyond `most` (parseArgs counts none or any). */
export function atMostArguments(command: string, positionals: string[], most: number): void {
  const extra = positionals[most];
  if (extra !== undefined) {
    throw new UsageError(`Unexpected argument "${extra}": see ${command} --help.`);
  }
}

// parseArgs tells the kind by its code, and the option only in its English message
// (lib/internal/util/parse_args/parse_args.js), from which the name is taken.
function refusal({ code, message }: Error & { code?: string }): string | undefined {
  const quoted = [...message.matchAll(/'([^']*)'/g)].map((match) => match[1]!);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${quoted[0]}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `Unexpected argument "${quoted[0]}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "'-p, --port <value>' argument missing", "'-p' argument is ambiguous … '--port=-XYZ'",
      // "'-v, --verbose' does not take an argument": named by its long form.
      const long = /--[\w-]+/.exec(quoted.join(' '))?.[0] ?? quoted[0];
      if (message.includes('does not take an argument')) {
        return `${long} takes no value`;
      }
      return message.includes('ambiguous')
        ? `${long} needs a value, not another option (write a value that starts with "-" as ${long}=VALUE)`
        : `${long} needs a value`;
    }
    default:
      return undefined;
  }
}
