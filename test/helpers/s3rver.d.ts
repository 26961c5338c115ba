/** The part of s3rver (no bundled types) the tests use. */
declare module 's3rver' {
  import type { Server } from 'node:http';
  export default class S3rver {
    constructor(options: { port: number; address: string; silent: boolean; directory: string; configureBuckets: { name: string }[] });
    httpServer?: Server;
    run(): Promise<unknown>;
  }
}
