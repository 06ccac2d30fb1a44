import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IMAGE_KINDS, type ImageTags } from '../../../src/runtime/docker/docker-names.js';
import { recordedImages, recordImages, imageRecordKey } from '../../../src/runtime/docker/find-recorded-images.js';
import { startTestEngine, type TestEngine } from './use-docker-engine.js';

const engine: TestEngine = await startTestEngine();
if ('skip' in engine) console.warn(`SKIPPING the recorded-images tests: ${engine.skip}`);

const VERSION = '0.0.0-recorded-test';

describe.skipIf('skip' in engine)('images found from the last full check (no ldd, no engine client)', () => {
  let docker: Docker;
  let socket: string;
  let dir: string;
  let input: string;
  const savedCache = process.env.XDG_CACHE_HOME;
  const tags = Object.fromEntries(IMAGE_KINDS.map((kind) => [kind, `ecom-${kind}:${VERSION}-abc`])) as ImageTags;

  beforeAll(async () => {
    socket = (engine as { socket: string }).socket;
    docker = new Docker({ socketPath: socket });
    // One empty image under every tag a cluster's check looks for.
    const tar = join(mkdtempSync(join(tmpdir(), 'ecom-empty-')), 'empty.tar');
    writeFileSync(tar, Buffer.alloc(1024));
    await new Promise<void>((resolve, reject) =>
      docker.importImage(tar, { repo: 'ecom-recorded-test', tag: 'empty' }, (err, stream) =>
        err ? reject(err) : docker.modem.followProgress(stream!, (e: Error | null) => (e ? reject(e) : resolve())),
      ),
    );
    rmSync(join(tar, '..'), { recursive: true, force: true });
    for (const kind of IMAGE_KINDS) {
      await docker.getImage('ecom-recorded-test:empty').tag({ repo: `ecom-${kind}`, tag: `${VERSION}-abc` });
      await docker.getImage('ecom-recorded-test:empty').tag({ repo: `ecom-${kind}`, tag: VERSION });
    }
  });

  afterAll(async () => {
    for (const tag of ['ecom-recorded-test:empty', ...IMAGE_KINDS.flatMap((k) => [`ecom-${k}:${VERSION}-abc`, `ecom-${k}:${VERSION}`])]) {
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
    }
    // A private engine started for this file (no ECOM_TEST_DOCKER_HOST) goes with it.
    if ('stop' in engine) await engine.stop();
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-recorded-'));
    process.env.XDG_CACHE_HOME = join(dir, 'cache');
    input = join(dir, 'ecom');
    writeFileSync(input, 'one build');
  });

  afterEach(() => {
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the recorded tags while the inputs are unchanged and the engine has them', async () => {
    expect(await recordedImages(VERSION, input, socket)).toBeUndefined();
    recordImages(imageRecordKey(VERSION, input), [input, input], tags);
    expect(await recordedImages(VERSION, input, socket)).toEqual(tags);
    // Another version or executable is not what was recorded.
    expect(await recordedImages(`${VERSION}.1`, input, socket)).toBeUndefined();
    expect(await recordedImages(VERSION, join(dir, 'other'), socket)).toBeUndefined();
  });

  it('does not trust the record once an input changed, or once the engine lacks an image or its version tag', async () => {
    recordImages(imageRecordKey(VERSION, input), [input], tags);
    utimesSync(input, new Date(), new Date(Date.now() + 5000));
    expect(await recordedImages(VERSION, input, socket)).toBeUndefined();
    recordImages(imageRecordKey(VERSION, input), [input], tags);
    expect(await recordedImages(VERSION, input, socket)).toEqual(tags);
    await docker.getImage(`ecom-redis:${VERSION}`).remove();
    expect(await recordedImages(VERSION, input, socket)).toBeUndefined();
    await docker.getImage('ecom-recorded-test:empty').tag({ repo: 'ecom-redis', tag: VERSION });
    await docker.getImage(`ecom-nginx:${VERSION}-abc`).remove();
    expect(await recordedImages(VERSION, input, socket)).toBeUndefined();
  });
});
