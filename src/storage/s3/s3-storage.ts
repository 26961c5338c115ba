/**
 * ObjectStorage on S3 or anything speaking its protocol (AWS S3, MinIO, Garage, R2, Ceph). Results are
 * served by presigned GET URLs, signed for the public endpoint when clients reach the storage by another
 * name than this process does; their bytes never pass through Node.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsCommand, PutObjectCommand, S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isValidKey, type ObjectPage, type ObjectStat, type ObjectStorage } from '../object-storage.js';

export interface S3Settings {
  endpoint: string | undefined;
  bucket: string;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
  /** Endpoint clients use for presigned URLs, when it differs from `endpoint`. */
  publicEndpoint: string | undefined;
  /** Every S3 call gives up after this long. */
  requestTimeoutMs?: number;
}

function clientConfig(s: S3Settings, endpoint: string | undefined): S3ClientConfig {
  return {
    region: s.region,
    endpoint,
    forcePathStyle: s.forcePathStyle,
    credentials: s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } : undefined,
    // Checksums only where S3 demands them: S3-compatible servers differ in what they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { requestTimeout: s.requestTimeoutMs ?? 60_000, connectionTimeout: 10_000 },
  };
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

export class S3Storage implements ObjectStorage {
  private readonly client: S3Client;
  private readonly signer: S3Client;

  constructor(private readonly s: S3Settings) {
    this.client = new S3Client(clientConfig(s, s.endpoint));
    this.signer = s.publicEndpoint && s.publicEndpoint !== s.endpoint ? new S3Client(clientConfig(s, s.publicEndpoint)) : this.client;
  }

  private checked(key: string): string {
    if (!isValidKey(key)) throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
    return key;
  }

  async putFile(key: string, sourcePath: string): Promise<ObjectStat> {
    const { size } = await stat(sourcePath);
    await this.client.send(new PutObjectCommand({
      Bucket: this.s.bucket, Key: this.checked(key), Body: createReadStream(sourcePath), ContentLength: size,
      ContentType: key.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream',
    }));
    await rm(sourcePath, { force: true });
    return { key, size, modifiedMs: Date.now() };
  }

  async stat(key: string): Promise<ObjectStat | null> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.s.bucket, Key: this.checked(key) }));
      return { key, size: r.ContentLength ?? 0, modifiedMs: r.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async openRead(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const r = await this.client.send(new GetObjectCommand({
      Bucket: this.s.bucket, Key: this.checked(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined,
    }));
    if (!(r.Body instanceof Readable)) throw new Error(`S3 GET ${key}: no body stream`);
    return r.Body;
  }

  async downloadTo(key: string, destPath: string): Promise<void> {
    await pipeline(await this.openRead(key), createWriteStream(destPath));
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.s.bucket, Key: this.checked(key) }));
  }

  /** ListObjects (v1) with Marker = the last key seen: every S3-compatible server pages it the same way. */
  async list(opts: { prefix?: string; cursor?: string | null; limit: number }): Promise<ObjectPage> {
    const r = await this.client.send(new ListObjectsCommand({
      Bucket: this.s.bucket, Prefix: opts.prefix, Marker: opts.cursor ?? undefined, MaxKeys: opts.limit,
    }));
    const items = (r.Contents ?? []).filter((o) => o.Key !== undefined && isValidKey(o.Key))
      .map((o) => ({ key: o.Key!, size: o.Size ?? 0, modifiedMs: o.LastModified?.getTime() ?? 0 }));
    const lastKey = r.Contents?.at(-1)?.Key;
    return { items, next: r.IsTruncated && lastKey ? lastKey : null };
  }

  async presignGet(key: string, ttlS: number): Promise<string> {
    return getSignedUrl(this.signer, new GetObjectCommand({ Bucket: this.s.bucket, Key: this.checked(key) }), { expiresIn: ttlS });
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.s.bucket }));
  }

  close(): void {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }
}
