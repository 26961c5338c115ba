/** GET /v1/files/:key — result downloads by signed, expiring URL; single HTTP ranges; streamed from storage. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isValidKey, type ObjectStorage } from '../storage/object-storage.js';
import { FILES_PREFIX, verifySignedPath } from '../storage/signed-url.js';
import { AppError } from '../domain/errors.js';
import { parseRange } from './range.js';
import { FileParams, FileQuery } from './schemas.js';

export function registerFilesRoute(app: FastifyInstance, storage: ObjectStorage, signingSecret: string, now: () => number): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/v1/files/:key', { schema: { params: FileParams, querystring: FileQuery } }, async (request, reply) => {
    const { key } = request.params;
    const check = isValidKey(key)
      ? verifySignedPath(signingSecret, `${FILES_PREFIX}${key}`, request.query.expires, request.query.sig, now())
      : 'invalid';
    if (check === 'invalid') throw new AppError('RESULT_URL_INVALID', 'this result URL is not valid; ask task-result for a fresh one');
    if (check === 'expired') throw new AppError('RESULT_URL_EXPIRED', 'this result URL has expired; ask task-result for a fresh one');
    const stat = await storage.stat(key);
    if (!stat) throw new AppError('API_NOT_FOUND', 'this result is no longer stored');

    reply.header('Accept-Ranges', 'bytes').header('Content-Type', 'video/mp4').header('Cache-Control', 'private, max-age=3600')
      .header('Last-Modified', new Date(stat.modifiedMs).toUTCString());
    const range = parseRange(request.headers.range, stat.size);
    switch (range.kind) {
      case 'unsatisfiable':
        return reply.code(416).header('Content-Range', `bytes */${stat.size}`).header('Content-Type', 'application/json')
          .send({ code: 416, reason: 'INVALID_REQUEST_BODY', message: `the requested range is outside the file (${stat.size} bytes)`, metadata: { field: 'range', limit: stat.size } });
      case 'partial':
        reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`).header('Content-Length', String(range.end - range.start + 1));
        return reply.send(await storage.openRead(key, { start: range.start, end: range.end }));
      case 'whole':
        reply.header('Content-Length', String(stat.size));
        return reply.send(await storage.openRead(key));
    }
  });
}
