import {
  RPC_COMMANDS,
  RpcError,
  type RpcClient,
  type RpcCommand,
  type RpcErrorBody,
} from './rpc.js';
import { argumentProblem } from './rpc-arguments.js';

/** How a command's outcome crosses a transport (HTTP body, IPC reply): errors as data, not throws. */
export type RpcReply = { ok: true; result: unknown } | { ok: false; error: RpcErrorBody };

export function isRpcCommand(name: string): name is RpcCommand {
  return (RPC_COMMANDS as readonly string[]).includes(name);
}

/**
 * Runs one command by name for a transport. Every failure becomes a reply with the sentence (and
 * the form field at fault), because transports lose everything of a thrown error but its message.
 */
export async function dispatchCommand(
  commands: RpcClient,
  name: string,
  args: unknown[],
): Promise<RpcReply> {
  if (!isRpcCommand(name)) {
    return { ok: false, error: { message: `There is no command ${name}.` } };
  }
  const problem = argumentProblem(name, args);
  if (problem) {
    return { ok: false, error: { message: problem } };
  }
  try {
    const command = commands[name] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, result: (await command(...args)) ?? null };
  } catch (error) {
    const field = error instanceof RpcError ? error.field : undefined;
    return { ok: false, error: { message: (error as Error).message, ...(field ? { field } : {}) } };
  }
}

/** The other end: a reply back into a result, or a thrown RpcError carrying the field. */
export function unwrapReply<T>(reply: RpcReply): T {
  if (!reply.ok) {
    throw new RpcError(reply.error.message, reply.error.field);
  }
  return reply.result as T;
}
