import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

/**
 * Summarises a V8 .cpuprofile (from `--profile DIR`, or node --cpu-prof): the functions with the
 * most self time, which is where a tunnel that loses on a row spends its CPU.
 *
 *   npx tsx bench/cpu-profile.ts FILE.cpuprofile [TOP]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  console.error('Usage: npx tsx bench/cpu-profile.ts FILE.cpuprofile [TOP]');
  process.exit(2);
}
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;

const nameOf = new Map<number, string>();
for (const { id, callFrame } of profile.nodes) {
  const { functionName, url, lineNumber } = callFrame;
  const where = url
    ? ` ${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`
    : '';
  nameOf.set(id, `${functionName || '(anonymous)'}${where}`);
}
// A sample's time is the delta to the next one; summed per function, that is its self time.
const selfMicros = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const micros = profile.timeDeltas[i + 1] ?? 0;
  const name = nameOf.get(id)!;
  selfMicros.set(name, (selfMicros.get(name) ?? 0) + micros);
  total += micros;
});
const busy = total - (selfMicros.get('(idle)') ?? 0);
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s not idle\n`,
);
console.log('self ms   % busy  function');
for (const [name, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  const share = name === '(idle)' ? '' : ((micros / busy) * 100).toFixed(1);
  console.log(`${(micros / 1000).toFixed(0).padStart(7)}  ${share.padStart(6)}  ${name}`);
}
