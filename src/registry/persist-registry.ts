import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RegistrySnapshot } from './registry-state.js';

/** Reads the registry's last saved listing, or undefined when there is none (or it is unreadable). */
export function loadRegistrySnapshot(file: string): RegistrySnapshot | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as RegistrySnapshot;
    return typeof parsed.index === 'number' && typeof parsed.services === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the listing atomically (temp file + rename), so a restarted registry resumes with its index and instances. */
export function saveRegistrySnapshot(file: string, snapshot: RegistrySnapshot): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, file);
}
