/** The configured object storage: S3 when MARIONETTE_S3_BUCKET is set, else the data dir's disk. */
import type { Config } from '../config/config.js';
import { resultsDir } from '../tasks/paths.js';
import { LocalDiskStorage } from './local/local-disk.js';
import type { ObjectStorage } from './object-storage.js';
import { S3Storage } from './s3/s3-storage.js';

export function openStorage(c: Config): ObjectStorage & { close?: () => void } {
  if (c.s3) return new S3Storage({ ...c.s3 });
  return new LocalDiskStorage(resultsDir(c.dataDir));
}
