/** GET /v1/files/:key — result downloads by signed, expiring URL; single HTTP ranges; streamed from storage. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isValidKey, type ObjectStorage } from '../storage/object-storage.js';
import { FILES_PREFIX, verifySignedPath } from '../storage/signed-url.js';
import { AppError } from '../domain/errors.js';
import { errorBody } from './error-handler.js';
import { ifRangeMatches, parseRange } from './range.js';
import { ErrorReply, FileParams, FileQuery } from './schemas.js';

export function registerFilesRoute(app: FastifyInstance, storage: ObjectStorage, signingSecret: string, now: () => number): void {
  const mp4 = (description: string) => ({ description, content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } } });
  app.withTypeProvider<TypeBoxTypeProvider>().get('/v1/files/:key', {
    schema: {
      summary: 'Download a result video by its signed URL (Range per RFC 9110)', params: FileParams, querystring: FileQuery,
      response: { 200: mp4('the whole file'), 206: mp4('the requested byte range'), 403: ErrorReply, 404: ErrorReply, 416: ErrorReply },
    },
  }, async (request, reply) => {
    const { key } = request.params;
    const check = isValidKey(key)
      ? verifySignedPath(signingSecret, `${FILES_PREFIX}${key}`, request.query.expires, request.query.sig, now())
      : 'invalid';
    if (check === 'invalid') throw new AppError('RESULT_URL_INVALID', 'this result URL is not valid; ask task-result for a fresh one');
    if (check === 'expired') throw new AppError('RESULT_URL_EXPIRED', 'this result URL has expired; ask task-result for a fresh one');
    const stat = await storage.stat(key);
    if (!stat) throw new AppError('API_NOT_FOUND', 'this result is no longer stored');

    const lastModified = new Date(stat.modifiedMs).toUTCString();
    reply.header('Accept-Ranges', 'bytes').header('Content-Type', 'video/mp4').header('Cache-Control', 'private, max-age=3600')
      .header('Last-Modified', lastModified);
    const ifRange = request.headers['if-range'];
    const range = ifRangeMatches(typeof ifRange === 'string' ? ifRange : undefined, lastModified)
      ? parseRange(request.headers.range, stat.size) : { kind: 'whole' as const };
    switch (range.kind) {
      case 'unsatisfiable':
        return reply.code(416).header('Content-Range', `bytes */${stat.size}`).header('Content-Type', 'application/json')
          .send(errorBody(new AppError('RANGE_NOT_SATISFIABLE', `the requested range is outside the file (${stat.size} bytes)`,
            { field: 'range', limit: stat.size, actual: request.headers.range, unit: 'bytes' })));
      case 'partial':
        reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`).header('Content-Length', String(range.end - range.start + 1));
        return reply.send(await storage.openRead(key, { start: range.start, end: range.end }));
      case 'whole':
        reply.header('Content-Length', String(stat.size));
        return reply.send(await storage.openRead(key));
    }
  });
}
