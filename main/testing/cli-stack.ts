import { afterAll, beforeAll, inject } from 'vitest';
import { startTunnelCli, type RunningTunnel } from './cli.js';
import { startGatewayProcess, type GatewayProcessOptions, type RunningGateway } from './gateway.js';

export interface CliStack {
  readonly gateway: RunningGateway;
  readonly tunnel: RunningTunnel;
}

/**
 * For a test file: the gateway process in front of the run's Postgres (started with
 * `gatewayOptions`) and a `pg-tunnel` process with the valid key (and `tunnelArgs`), started before
 * its tests and stopped after them.
 */
export function useCliStack(
  tunnelArgs: string[] = [],
  gatewayOptions: GatewayProcessOptions = {},
): CliStack {
  let gateway: RunningGateway | undefined;
  let tunnel: RunningTunnel | undefined;
  beforeAll(async () => {
    gateway = await startGatewayProcess(inject('postgres'), gatewayOptions);
    tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid, tunnelArgs);
  });
  afterAll(async () => {
    await tunnel?.process.stop();
    await gateway?.process.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) {
      throw new Error('the stack is used before its beforeAll ran');
    }
    return value;
  };
  return {
    get gateway() {
      return started(gateway);
    },
    get tunnel() {
      return started(tunnel);
    },
  };
}
