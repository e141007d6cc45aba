import { cpus, release, totalmem, type } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryMB: number;
  node: string;
  os: string;
}

/** What the numbers were measured on: they only compare with runs on a similar machine. */
export function describeMachine(): Machine {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryMB: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    os: `${type()} ${release()} ${process.arch}`,
  };
}

export function formatMachine(machine: Machine): string {
  return (
    `${machine.cores} × ${machine.cpuModel}, ${(machine.memoryMB / 1024).toFixed(1)} GiB, ` +
    `Node ${machine.node}, ${machine.os}`
  );
}
