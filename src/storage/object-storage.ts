/** Where result videos live. Keys are flat names like `<taskId>.mp4`; an S3-style store can implement this too. */
import type { Readable } from 'node:stream';

export interface ObjectStat { key: string; size: number; modifiedMs: number }

export interface ObjectStorage {
  /** Moves (or copies) a local file in under `key`, replacing any object there. */
  putFile(key: string, sourcePath: string): Promise<ObjectStat>;
  /** null when absent. */
  stat(key: string): Promise<ObjectStat | null>;
  /** Bytes start..end inclusive (the whole object when omitted). */
  openRead(key: string, range?: { start: number; end: number }): Readable;
  delete(key: string): Promise<void>;
  /** Keys of objects last modified before `cutoffMs`. */
  listOlderThan(cutoffMs: number): Promise<string[]>;
  /** The storage can be written to (readiness). */
  check(): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}\.[a-z0-9]{1,8}$/;

/** Keys come from URLs: only plain names, never paths. */
export function isValidKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function resultKeyFor(taskId: string): string {
  return `${taskId}.mp4`;
}
