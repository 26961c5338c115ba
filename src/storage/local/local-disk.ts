/** ObjectStorage on the local disk: `<root>/<key>`, written via a temp name and rename so readers never see half a file. */
import { createReadStream } from 'node:fs';
import { access, copyFile, mkdir, readdir, rename, rm, stat, constants } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isValidKey, type ObjectPage, type ObjectStat, type ObjectStorage } from '../object-storage.js';

export class LocalDiskStorage implements ObjectStorage {
  constructor(readonly root: string) {}

  private pathOf(key: string): string {
    if (!isValidKey(key)) throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
    return path.join(this.root, key);
  }

  async putFile(key: string, sourcePath: string): Promise<ObjectStat> {
    const dest = this.pathOf(key);
    await mkdir(this.root, { recursive: true });
    const tmp = `${dest}.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`;
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

  async openRead(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const file = this.pathOf(key);
    await access(file, constants.R_OK);
    return createReadStream(file, range ? { start: range.start, end: range.end } : undefined);
  }

  async downloadTo(key: string, destPath: string): Promise<void> {
    await copyFile(this.pathOf(key), destPath);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async list(opts: { prefix?: string; cursor?: string | null; limit: number }): Promise<ObjectPage> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], next: null };
      throw err;
    }
    const keys = names.filter((n) => isValidKey(n) && (!opts.prefix || n.startsWith(opts.prefix)) && (!opts.cursor || n > opts.cursor)).sort();
    const items: ObjectStat[] = [];
    for (const key of keys) {
      if (items.length === opts.limit) break;
      const s = await this.stat(key);
      if (s) items.push(s);
    }
    const last = items.at(-1);
    return { items, next: last && keys.indexOf(last.key) < keys.length - 1 ? last.key : null };
  }

  async presignGet(): Promise<string | null> {
    return null;
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.W_OK);
  }
}
