import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { addonCacheDir } from '../../common/load-sqlite-addon.js';
import { findOnPath } from './collect-image-files.js';
import { IMAGE_KINDS, type ImageTags } from './docker-names.js';
import { fingerprint } from './fingerprint-files.js';

/** What the last full image check found: the files that went into the images, how they looked then, and the tags. */
interface ImageRecord {
  key: string;
  files: string[];
  stamp: string;
  tags: ImageTags;
}

/** The dynamic linker's cache: a library that moved changes it, so the recorded file lists would be stale. */
const LINKER_CACHE = '/etc/ld.so.cache';

const recordFile = (): string => join(addonCacheDir(), 'docker-images.json');

/** What a record is valid for: ecom's version, its executable and the nginx and redis-server on PATH (built without a base image). */
export function imageRecordKey(version: string, appBinary: string): string {
  return JSON.stringify([version, appBinary, findOnPath('nginx'), findOnPath('redis-server')]);
}

/** Size and modification time of every file (folders walked), hashed: equal stamps mean the images' inputs did not change. */
function stampOf(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of [...files, LINKER_CACHE]) {
    try {
      fingerprint(file, hash);
    } catch {
      hash.update(`${file}\0missing\n`);
    }
  }
  return hash.digest('hex');
}

/**
 * Records a full check's outcome (in ecom's cache folder), so the next `ecom up` finds the same images by looking at
 * the files and asking the engine, without `ldd` on every program or loading the engine's client. Best effort.
 */
export function recordImages(key: string, files: readonly string[], tags: ImageTags): void {
  try {
    const file = recordFile();
    mkdirSync(join(file, '..'), { recursive: true });
    const unique = [...new Set(files)];
    const record: ImageRecord = { key, files: unique, stamp: stampOf(unique), tags };
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(record));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // No cache: the next check is a full one.
  }
}

/** Whether the engine at `socketPath` has image `tag` also tagged `alsoTagged` (one GET /images/{tag}/json). */
function engineHasImage(socketPath: string, tag: string, alsoTagged: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: `/images/${encodeURIComponent(tag)}/json`, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && ((JSON.parse(body) as { RepoTags?: string[] }).RepoTags ?? []).includes(alsoTagged));
        } catch {
          resolve(false);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * The tags the last full check recorded for this version and executable, when none of the files that went into them changed and the
 * engine has every one of them (also under `ecom-<kind>:<version>`); else undefined, and a full check follows.
 */
export async function recordedImages(version: string, appBinary: string, socketPath: string): Promise<ImageTags | undefined> {
  let record: ImageRecord;
  try {
    record = JSON.parse(readFileSync(recordFile(), 'utf8')) as ImageRecord;
    if (record.key !== imageRecordKey(version, appBinary) || stampOf(record.files) !== record.stamp) return undefined;
  } catch {
    return undefined;
  }
  const present = await Promise.all(IMAGE_KINDS.map((kind) => engineHasImage(socketPath, record.tags[kind], `ecom-${kind}:${version}`)));
  return present.every(Boolean) ? record.tags : undefined;
}
