import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { EcomError } from '../../common/ecom-error.js';
import { collectImageFiles, type ImageContents } from './collect-image-files.js';
import { dockerMessage } from './connect-docker.js';
import { IMAGE_KINDS, IMAGE_LABELS, type ImageKind, type ImageTags } from './docker-names.js';
import { imageRecordKey, recordImages } from './find-recorded-images.js';
import { fingerprint } from './fingerprint-files.js';

/** What the images are built from and how the build reports. */
export interface ImageBuildOptions {
  docker: Docker;
  /** ecom's version, in every tag and label. */
  version: string;
  /** ecom's single executable (the app image runs it). */
  appBinary: string;
  /** An image to build on instead of an empty one (it must be present on the engine). */
  base?: string;
  onProgress?: (line: string) => void;
}

/** One image: what goes in, the hash of it, and the tag that hash gives. */
interface ImagePlan {
  contents: ImageContents;
  dockerfile: string;
  tag: string;
  inputs: string;
}

const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

async function planImage(kind: ImageKind, options: ImageBuildOptions): Promise<ImagePlan> {
  const contents = await collectImageFiles(kind, options.appBinary);
  const env = kind === 'app' ? 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin XDG_CACHE_HOME=/tmp/cache\n' : 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin\n';
  const dockerfile = `FROM ${options.base ?? 'scratch'}\nCOPY . /\n${env}CMD ["${contents.entry}"]\n`;
  const hash = createHash('sha256').update(`${kind}\0${options.version}\0${dockerfile}\0${PASSWD}${GROUP}`);
  for (const file of contents.files) {
    hash.update(`${file.to}\0`);
    fingerprint(file.from, hash);
  }
  const inputs = hash.digest('hex');
  return { contents, dockerfile, inputs, tag: `ecom-${kind}:${options.version}-${inputs.slice(0, 12)}` };
}

/** The build context: a folder of symlinks to the host files (tar follows them), the Dockerfile and a minimal /etc. */
function stageContext(plan: ImagePlan, base: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), `ecom-image-${plan.contents.kind}-`));
  const put = (to: string, text: string): void => {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    writeFileSync(join(dir, to), text);
  };
  put('Dockerfile', plan.dockerfile);
  put('.dockerignore', 'Dockerfile\n.dockerignore\n');
  if (!base) {
    const me = userInfo();
    const extra = me.uid === 0 ? '' : `${me.username}:x:${me.uid}:${me.gid}::/tmp:/sbin/nologin\n`;
    put('etc/passwd', PASSWD + extra);
    put('etc/group', GROUP + (me.uid === 0 ? '' : `${me.username}:x:${me.gid}:\n`));
    put('etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n');
    for (const empty of ['tmp', 'var/log/nginx', 'var/lib/nginx']) mkdirSync(join(dir, empty), { recursive: true });
    chmodSync(join(dir, 'tmp'), 0o1777);
  }
  for (const file of plan.contents.files) {
    mkdirSync(dirname(join(dir, file.to)), { recursive: true });
    symlinkSync(file.from, join(dir, file.to));
  }
  return dir;
}

async function buildOne(plan: ImagePlan, options: ImageBuildOptions): Promise<void> {
  const dir = stageContext(plan, options.base);
  const tar = spawn('tar', ['-c', '-h', '--owner=0', '--group=0', '--numeric-owner', '-f', '-', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarError = '';
  tar.stderr.on('data', (d: Buffer) => (tarError += d.toString()));
  try {
    const labels = { [IMAGE_LABELS.kind]: plan.contents.kind, [IMAGE_LABELS.version]: options.version, [IMAGE_LABELS.inputs]: plan.inputs };
    const stream = await options.docker.buildImage(tar.stdout, { t: plan.tag, labels, rm: true, forcerm: true });
    await new Promise<void>((resolve, reject) => {
      options.docker.modem.followProgress(
        stream,
        (err: Error | null, output: Array<{ error?: string }>) => {
          const failed = err?.message ?? output.find((o) => o.error)?.error;
          if (failed) reject(new Error(failed));
          else resolve();
        },
        (event: { stream?: string }) => {
          const line = event.stream?.trim();
          if (line?.startsWith('Step ')) options.onProgress?.(`${plan.tag}: ${line}`);
        },
      );
    });
  } catch (err) {
    throw new EcomError('docker_build_failed', `building ${plan.tag} failed: ${dockerMessage(err)}${tarError ? ` (tar: ${tarError.trim()})` : ''}`, {
      cause: err,
      hint: 'see the message; `ecom doctor` checks the engine',
    });
  } finally {
    tar.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Points `ecom-<kind>:<version>` (what exported compose, stack and Kubernetes files name) at the current build, unless it already does. */
async function tagVersion(docker: Docker, tag: string, kind: ImageKind, version: string, repoTags: string[] = []): Promise<void> {
  if (repoTags.includes(`ecom-${kind}:${version}`)) return;
  await docker.getImage(tag).tag({ repo: `ecom-${kind}`, tag: version });
}

/** The tags the engine has on the image called `tag`; undefined when it has no such image. */
async function imageTags(docker: Docker, tag: string): Promise<string[] | undefined> {
  try {
    return ((await docker.getImage(tag).inspect()) as { RepoTags?: string[] }).RepoTags ?? [];
  } catch {
    return undefined;
  }
}

/**
 * The tags of the cluster's three images, built when missing (`build: true`) — an image whose inputs (files, sizes,
 * modification times, ecom's version, the base) did not change is never built again. With `build: false` a missing
 * image is `docker_image_missing`.
 */
export async function ensureImages(options: ImageBuildOptions & { build: boolean }): Promise<{ tags: ImageTags; built: ImageKind[] }> {
  const tags = {} as ImageTags;
  const built: ImageKind[] = [];
  // Planning runs `ldd` on each image's programs, then asks the engine for each tag: the three in parallel.
  const plans = await Promise.all(IMAGE_KINDS.map((kind) => planImage(kind, options)));
  const found = await Promise.all(
    plans.map(async (plan, i) => {
      const present = await imageTags(options.docker, plan.tag);
      if (present) await tagVersion(options.docker, plan.tag, IMAGE_KINDS[i]!, options.version, present);
      return present !== undefined;
    }),
  );
  for (const [i, kind] of IMAGE_KINDS.entries()) {
    const plan = plans[i]!;
    tags[kind] = plan.tag;
    if (found[i]) continue;
    if (!options.build) throw new EcomError('docker_image_missing', `image ${plan.tag} is not on the engine`);
    const started = Date.now();
    options.onProgress?.(`building image ${plan.tag}`);
    await buildOne(plan, options);
    options.onProgress?.(`built ${plan.tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    built.push(kind);
    await tagVersion(options.docker, plan.tag, kind, options.version);
  }
  if (!options.base) {
    const files = plans.flatMap((plan) => plan.contents.files.map((file) => file.from));
    recordImages(imageRecordKey(options.version, options.appBinary), files, tags);
  }
  return { tags, built };
}
