/**
 * The web playground: web/index.html at `/`, its files at /playground/<name>. Files are read once
 * at start-up (they are small and fixed); the page links each asset with its content hash so the
 * browser may keep it forever, while the page itself is revalidated on every visit.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';

export const PLAYGROUND_PREFIX = '/playground/';

/** web/ sits two levels above both src/api/ and dist/api/. */
export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/** Only the page's own code runs; media may come from a result URL on another origin. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: data: https: http:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const CACHE_FOREVER = 'public, max-age=31536000, immutable';
export const CACHE_REVALIDATE = 'no-cache';

export interface PlaygroundFile {
  body: Buffer;
  contentType: string;
  /** Short content hash: the ETag and the `?v=` the page links with. */
  hash: string;
}

export function contentTypeOf(name: string): string | undefined {
  return CONTENT_TYPES[path.extname(name).toLowerCase()];
}

export function hashOf(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 16);
}

/** Points every `/playground/<name>` the page references at `/playground/<name>?v=<hash>`. */
export function versionAssetLinks(html: string, assets: ReadonlyMap<string, PlaygroundFile>): string {
  return html.replace(/(["'])\/playground\/([\w.-]+)\1/g, (whole, quote: string, name: string) => {
    const asset = assets.get(name);
    return asset ? `${quote}${PLAYGROUND_PREFIX}${name}?v=${asset.hash}${quote}` : whole;
  });
}

/** A versioned link whose version is current may be cached forever; anything else revalidates. */
export function cacheControlFor(requestedVersion: string | undefined, file: PlaygroundFile): string {
  return requestedVersion === file.hash ? CACHE_FOREVER : CACHE_REVALIDATE;
}

/** True when the client's If-None-Match names this file's ETag. */
export function isNotModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === etag || t === '*';
  });
}

/** Reads web/: the page (with versioned links) and every asset beside it. */
export async function loadPlayground(webDir: string = WEB_DIR): Promise<{ page: PlaygroundFile; assets: Map<string, PlaygroundFile> }> {
  const assets = new Map<string, PlaygroundFile>();
  for (const entry of await readdir(webDir, { withFileTypes: true })) {
    const contentType = contentTypeOf(entry.name);
    if (!entry.isFile() || !contentType || entry.name === 'index.html') continue;
    const body = await readFile(path.join(webDir, entry.name));
    assets.set(entry.name, { body, contentType, hash: hashOf(body) });
  }
  const html = versionAssetLinks(await readFile(path.join(webDir, 'index.html'), 'utf8'), assets);
  const body = Buffer.from(html);
  return { page: { body, contentType: CONTENT_TYPES['.html'], hash: hashOf(body) }, assets };
}

function send(request: FastifyRequest, reply: FastifyReply, file: PlaygroundFile, cacheControl: string): FastifyReply {
  const etag = `"${file.hash}"`;
  reply
    .header('Cache-Control', cacheControl)
    .header('ETag', etag)
    .header('X-Content-Type-Options', 'nosniff');
  if (isNotModified(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type(file.contentType).send(file.body);
}

/**
 * Serves the playground without an API key (registered outside the /v3 scope that checks keys): the
 * page holds no data of its own and calls the public API with the key the person pastes.
 */
export async function registerPlayground(app: FastifyInstance): Promise<void> {
  const { page, assets } = await loadPlayground();

  // Doc-only schemas (nothing to validate): read by the OpenAPI document.
  const pageSchema: Record<string, unknown> = { summary: 'The playground page', response: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } };
  const assetSchema: Record<string, unknown> = {
    summary: "The playground's script, style sheet and icon", response: { 200: { description: 'the file', content: { '*/*': { schema: { type: 'string' } } } } },
  };
  app.get('/', { schema: pageSchema }, (request, reply) => {
    reply
      .header('Content-Security-Policy', PAGE_CSP)
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Frame-Options', 'DENY');
    return send(request, reply, page, CACHE_REVALIDATE);
  });

  app.get<{ Params: { name: string }; Querystring: { v?: string } }>(`${PLAYGROUND_PREFIX}:name`, { schema: assetSchema }, (request, reply) => {
    const file = assets.get(request.params.name);
    if (!file) throw new AppError('API_NOT_FOUND', `no playground file named ${request.params.name}`);
    return send(request, reply, file, cacheControlFor(request.query.v, file));
  });
}
