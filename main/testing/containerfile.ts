import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerfileParser, ModifiableInstruction, type Instruction } from 'dockerfile-ast';

/** The image build file operators use: the tests read and carry out this file. */
export const CONTAINERFILE_PATH = fileURLToPath(
  new URL('../../deploy/Containerfile', import.meta.url),
);
/** The build context `podman build -f deploy/Containerfile .` is run in. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Stage {
  /** The base image, e.g. node:24-bookworm-slim. */
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The build stages of a Containerfile, each with its own instructions. */
export function stagesOf(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, as, name] = instruction.getArguments().map((a) => a.getValue());
      stages.push({
        image: image ?? '',
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The exec form (a JSON array) of CMD, ENTRYPOINT or HEALTHCHECK CMD. */
export function execForm(instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent() ?? '';
  return JSON.parse(content.replace(/^CMD\s+/i, '').replace(/\\\n/g, '')) as string[];
}

/** What the last stage of a build leaves, with its image paths mapped onto the test's disk. */
export interface BuiltImage {
  /** The directory standing for the image's `/`. */
  root: string;
  env: Record<string, string>;
  user: string | undefined;
  /** ENTRYPOINT then CMD, image paths mapped to the root, `node` to this Node. */
  command: string[];
  healthcheck: string[];
}

/**
 * Carries out a Containerfile's stages without a container runtime, for a test: each stage's `/`
 * is a directory; WORKDIR, ENV, COPY (from the build context or --from an earlier stage) and RUN
 * (in sh) are done as a builder would do them. One RUN is stood in for: `npm ci`, by a link to the
 * repository's installed node_modules (the same lock file; installing again takes minutes).
 */
export async function buildWithoutRuntime(text: string, context: string): Promise<BuiltImage> {
  const roots = new Map<string, string>();
  let image: BuiltImage | undefined;
  for (const stage of stagesOf(text)) {
    const root = await mkdtemp(join(tmpdir(), 'pg-tunnel-image-'));
    await chmod(root, 0o755); // like an image's /, which every user may traverse
    const inImage = (path: string): string => join(root, path);
    let workdir = '/';
    const env: Record<string, string> = {};
    image = { root, env, user: undefined, command: [], healthcheck: [] };
    let entrypoint: string[] = [];
    let cmd: string[] = [];
    for (const instruction of stage.instructions) {
      const args = instruction.getArguments().map((a) => a.getValue());
      switch (instruction.getKeyword()) {
        case 'WORKDIR':
          workdir = posix.resolve(workdir, args[0]!);
          await mkdir(inImage(workdir), { recursive: true, mode: 0o755 });
          break;
        case 'ENV':
          for (const assignment of args) {
            const [name, ...value] = assignment.split('=');
            env[name!] = value.join('=');
          }
          break;
        case 'COPY': {
          const from = flagOf(instruction, 'from');
          const sourceRoot = from === undefined ? context : roots.get(from);
          if (sourceRoot === undefined) {
            throw new Error(`COPY --from=${from}: no stage of that name before it`);
          }
          const destination = args.at(-1)!;
          for (const source of args.slice(0, -1)) {
            // A directory's contents are copied, not the directory; a file into a directory
            // keeps its name (the Dockerfile reference, COPY).
            const target = posix.resolve(workdir, destination);
            const intoDirectory = destination.endsWith('/') || args.length > 2;
            await cp(
              join(sourceRoot, source),
              inImage(
                intoDirectory && !source.endsWith('/') ? join(target, basename(source)) : target,
              ),
              {
                recursive: true,
              },
            );
          }
          break;
        }
        case 'RUN': {
          const line = instruction.getArgumentsContent() ?? '';
          if (/^npm ci\b/.test(line)) {
            await symlink(
              join(REPOSITORY_ROOT, 'node_modules'),
              inImage(join(workdir, 'node_modules')),
            );
          } else {
            await promisify(execFile)('sh', ['-c', line], {
              cwd: inImage(workdir),
              env: { ...process.env, ...env },
            });
          }
          break;
        }
        case 'USER':
          image.user = args[0];
          break;
        case 'ENTRYPOINT':
          entrypoint = execForm(instruction);
          break;
        case 'CMD':
          cmd = execForm(instruction);
          break;
        case 'HEALTHCHECK':
          image.healthcheck = toHost(execForm(instruction), root);
          break;
      }
    }
    image.command = toHost([...entrypoint, ...cmd], root);
    if (stage.name) {
      roots.set(stage.name, root);
    }
  }
  if (!image) {
    throw new Error('the Containerfile has no FROM');
  }
  return image;
}

/** An image's command as this machine runs it: `node` is this Node, absolute paths under `root`. */
function toHost(command: string[], root: string): string[] {
  return command.map((arg, i) =>
    i === 0 && arg === 'node' ? process.execPath : arg.startsWith('/') ? join(root, arg) : arg,
  );
}

/** The value of an instruction's `--name=value` flag (COPY --from, HEALTHCHECK --interval…). */
export function flagOf(instruction: Instruction, name: string): string | undefined {
  return instruction instanceof ModifiableInstruction
    ? (instruction
        .getFlags()
        .find((flag) => flag.getName() === name)
        ?.getValue() ?? undefined)
    : undefined;
}
