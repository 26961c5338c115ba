/**
 * One contract for ObjectStorage, run against every implementation: local disk, and S3 (s3rver, a
 * protocol-level S3 server started here; production uses AWS S3, MinIO, Garage, R2 or Ceph).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll, type ObjectStorage } from '../../src/storage/object-storage.js';
import { LocalDiskStorage } from '../../src/storage/local/local-disk.js';
import { S3Storage } from '../../src/storage/s3/s3-storage.js';
import { startS3, type RunningS3 } from '../helpers/backing-servers.js';

async function text(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

interface Subject { name: string; make(): Promise<{ storage: ObjectStorage; close(): Promise<void> }> }

let s3: RunningS3 | undefined;
const subjects: Subject[] = [
  {
    name: 'local disk',
    async make() {
      const root = await mkdtemp(path.join(os.tmpdir(), 'marionette-objs-'));
      return { storage: new LocalDiskStorage(path.join(root, 'objects')), close: () => rm(root, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3 (s3rver)',
    async make() {
      s3 ??= await startS3();
      const storage = new S3Storage({ endpoint: s3.url, bucket: s3.bucket, region: 'us-east-1', accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey, forcePathStyle: true, publicEndpoint: `http://localhost:${s3.port}` });
      // Each run starts from an empty bucket.
      for await (const o of listAll(storage)) await storage.delete(o.key);
      return { storage, close: async () => { storage.close(); } };
    },
  },
];

afterAll(async () => { await s3?.close(); });

describe.each(subjects)('ObjectStorage contract: $name', (subject) => {
  let storage: ObjectStorage;
  let close: () => Promise<void>;
  let tmp: string;
  beforeAll(async () => {
    ({ storage, close } = await subject.make());
    tmp = await mkdtemp(path.join(os.tmpdir(), 'marionette-objsrc-'));
  });
  afterAll(async () => { await close(); await rm(tmp, { recursive: true, force: true }); });

  async function put(key: string, body: string): Promise<void> {
    const src = path.join(tmp, `${key}.src`);
    await writeFile(src, body);
    await storage.putFile(key, src);
    await expect(readFile(src)).rejects.toThrow(); // moved in, not left behind
  }

  it('puts, stats, reads whole and by range, downloads, deletes', async () => {
    await storage.check();
    await put('k1.mp4', 'hello world');
    const st = await storage.stat('k1.mp4');
    expect(st).toMatchObject({ key: 'k1.mp4', size: 11 });
    expect(Math.abs(st!.modifiedMs - Date.now())).toBeLessThan(120_000);
    expect(await text(await storage.openRead('k1.mp4'))).toBe('hello world');
    expect(await text(await storage.openRead('k1.mp4', { start: 6, end: 10 }))).toBe('world');
    const dest = path.join(tmp, 'copy.bin');
    await storage.downloadTo('k1.mp4', dest);
    expect(await readFile(dest, 'utf8')).toBe('hello world');
    await put('k1.mp4', 'replaced');
    expect(await text(await storage.openRead('k1.mp4'))).toBe('replaced');
    await storage.delete('k1.mp4');
    expect(await storage.stat('k1.mp4')).toBeNull();
    await expect(storage.openRead('k1.mp4')).rejects.toThrow();
    await storage.delete('k1.mp4'); // deleting what is gone is fine
  });

  it('refuses keys that are paths', async () => {
    await expect(storage.openRead('../k.mp4')).rejects.toThrow(/invalid storage key/);
    await expect(storage.stat('a/b.mp4')).rejects.toThrow(/invalid storage key/);
  });

  it('lists in key order, page by page, with a prefix', async () => {
    const keys = ['a1.mp4', 'a2.mp4', 'a3.mp4', 'in_t1_image.jpg', 'in_t1_video.mp4'];
    for (const k of keys) await put(k, k);
    const first = await storage.list({ limit: 2 });
    expect(first.items.map((o) => o.key)).toEqual(['a1.mp4', 'a2.mp4']);
    expect(first.next).not.toBeNull();
    const second = await storage.list({ limit: 2, cursor: first.next });
    expect(second.items.map((o) => o.key)).toEqual(['a3.mp4', 'in_t1_image.jpg']);
    const last = await storage.list({ limit: 2, cursor: second.next });
    expect(last.items.map((o) => o.key)).toEqual(['in_t1_video.mp4']);
    expect(last.next).toBeNull();
    expect((await storage.list({ prefix: 'in_', limit: 10 })).items.map((o) => o.key)).toEqual(['in_t1_image.jpg', 'in_t1_video.mp4']);
    const all: string[] = [];
    for await (const o of listAll(storage, undefined, 1)) all.push(o.key);
    expect(all).toEqual(keys);
    expect(all.length).toBe(5);
    for (const k of keys) await storage.delete(k);
  });

  it('presigns a GET that works without credentials (S3) or leaves URLs to the API (local)', async () => {
    await put('p.mp4', 'presigned bytes');
    const url = await storage.presignGet('p.mp4', 60);
    if (storage instanceof LocalDiskStorage) { expect(url).toBeNull(); return; }
    expect(url).not.toBeNull();
    // signed for the public endpoint, not the internal one
    expect(new URL(url!).host).toBe(`localhost:${s3!.port}`);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('presigned bytes');
    // s3rver does not check signatures, so only their shape is checked here: SigV4 query auth expiring after the TTL
    const q = new URL(url!).searchParams;
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});
