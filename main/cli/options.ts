import { isIPv6 } from 'node:net';
import { UsageError } from './usage-error.js';

/** `--port`: digits only, 0 to 65535; absent means 0, "any free port". */
export function parsePort(value: string | undefined): number {
  if (value === undefined) {
    return 0;
  }
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`--port takes a number from 0 to 65535 (got ${value}).`);
  }
  return port;
}

/**
 * `--host`: a host name or address; an IPv6 address may come in brackets, as URLs and the banner
 * write it (`[::1]`). Absent: undefined.
 */
export function parseHost(value: string | undefined): string | undefined {
  const bracketed = value === undefined ? null : /^\[(.*)\]$/.exec(value);
  return bracketed && isIPv6(bracketed[1]!) ? bracketed[1] : value;
}

/** Resolves on the first SIGINT or SIGTERM, after printing `farewell` if given. */
export function untilSignal(farewell?: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (farewell) {
        console.info(farewell);
      }
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `--tls` and its kin: on or off; absent means undefined, "as before". */
export function parseOnOff(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value !== 'on' && value !== 'off') {
    throw new UsageError(`${flag} takes on or off (got ${value}).`);
  }
  return value === 'on';
}
