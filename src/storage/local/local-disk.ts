/** ObjectStorage on the local disk: `<root>/<key>`, written via a temp name and rename so readers never see half a file. */
import { createReadStream } from 'node:fs';
import { access, copyFile, mkdir, readdir, rename, rm, stat, constants } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isValidKey, type ObjectStat, type ObjectStorage } from '../object-storage.js';

export class LocalDiskStorage implements ObjectStorage {
  constructor(readonly root: string) {}

  private pathOf(key: string): string {
    if (!isValidKey(key)) throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
    return path.join(this.root, key);
  }

  async putFile(key: string, sourcePath: string): Promise<ObjectStat> {
    const dest = this.pathOf(key);
    await mkdir(this.root, { recursive: true });
    const tmp = `${dest}.incoming-${process.pid}`;
    try {
      await rename(sourcePath, tmp);
    } catch (err) {
      // Another filesystem: copy instead of rename.
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(sourcePath, tmp);
      await rm(sourcePath, { force: true });
    }
    await rename(tmp, dest);
    const s = await stat(dest);
    return { key, size: s.size, modifiedMs: s.mtimeMs };
  }

  async stat(key: string): Promise<ObjectStat | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { key, size: s.size, modifiedMs: s.mtimeMs } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  openRead(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : undefined);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async listOlderThan(cutoffMs: number): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const old: string[] = [];
    for (const name of names) {
      if (!isValidKey(name)) continue;
      const s = await this.stat(name);
      if (s && s.modifiedMs < cutoffMs) old.push(name);
    }
    return old;
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.W_OK);
  }
}
