/**
 * Where task inputs and result videos live: local disk by default, S3-compatible object storage when
 * configured. Keys are flat names like `<taskId>.mp4` (results) and `in_<taskId>_image.jpg` (inputs).
 */
import type { Readable } from 'node:stream';

export interface ObjectStat { key: string; size: number; modifiedMs: number }

export interface ObjectPage { items: ObjectStat[]; /** null on the last page. */ next: string | null }

export interface ObjectStorage {
  /** Moves (or copies) a local file in under `key`, replacing any object there; the local file is gone afterwards. */
  putFile(key: string, sourcePath: string): Promise<ObjectStat>;
  /** null when absent. */
  stat(key: string): Promise<ObjectStat | null>;
  /** Bytes start..end inclusive (the whole object when omitted). Rejects for a missing key. */
  openRead(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Copies the object to a local file (a worker's scratch). */
  downloadTo(key: string, destPath: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** One page of objects in key order, starting after `cursor`. */
  list(opts: { prefix?: string; cursor?: string | null; limit: number }): Promise<ObjectPage>;
  /**
   * A URL that GETs the object without credentials until `ttlS` seconds from now, served by the storage
   * itself; null when the storage cannot (local disk: the API serves its own HMAC-signed URLs).
   */
  presignGet(key: string, ttlS: number): Promise<string | null>;
  /** The storage can be written to (readiness). */
  check(): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9_-]{1,160}\.[a-z0-9]{1,8}$/;

/** Keys come from URLs: only plain names, never paths. */
export function isValidKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function resultKeyFor(taskId: string): string {
  return `${taskId}.mp4`;
}

/** Inputs are named after their task, so an input without a task can be found and removed. */
export const INPUT_KEY_PREFIX = 'in_';

export function inputKeyFor(taskId: string, field: 'image' | 'video', ext: string): string {
  return `${INPUT_KEY_PREFIX}${taskId}_${field}.${ext}`;
}

/** The task an input key belongs to (null for a result key). Task ids are 22 base64url characters. */
export function taskOfInputKey(key: string): string | null {
  const m = /^in_([A-Za-z0-9_-]+)_(image|video)\.[a-z0-9]+$/.exec(key);
  return m ? m[1] : null;
}

/** Every object, page by page. */
export async function* listAll(storage: ObjectStorage, prefix?: string, pageSize = 500): AsyncGenerator<ObjectStat> {
  let cursor: string | null = null;
  do {
    const page = await storage.list({ prefix, cursor, limit: pageSize });
    yield* page.items;
    cursor = page.next;
  } while (cursor !== null);
}
