/**
 * OpenAPI 3.1 from the routes themselves: every route registered after `collectRoutes` is recorded with the
 * TypeBox schemas Fastify validates it with, and `openApiDocument` turns them into the document (pure), so the
 * description cannot drift from what is enforced. Error reasons come from the one catalogue.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ERROR_CATALOGUE, type ErrorReason } from '../domain/errors.js';

export interface RecordedRoute { method: string; url: string; schema: Record<string, unknown> | undefined; auth: boolean }

type Json = Record<string, unknown>;

/** Records each route as it is added (HEAD twins of GETs included: they are served too). */
export function collectRoutes(app: FastifyInstance, isAuthenticated: (url: string) => boolean): RecordedRoute[] {
  const routes: RecordedRoute[] = [];
  app.addHook('onRoute', (r: RouteOptions) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) routes.push({ method: m.toLowerCase(), url: r.url, schema: r.schema as Json | undefined, auth: isAuthenticated(r.url) });
  });
  return routes;
}

/** Fastify's `/v1/files/:key` as OpenAPI's `/v1/files/{key}` (pure). */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** A TypeBox schema as plain JSON Schema: symbols dropped, copied. */
function plain(schema: unknown): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}

function parameters(where: 'query' | 'path' | 'header', schema: unknown): Json[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = plain(schema);
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => {
    const { description, ...rest } = p;
    return { name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description ? { description } : {}) };
  });
}

const STATUS_TEXT: Record<string, string> = {
  200: 'OK', 206: 'Partial content', 400: 'Bad request', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 416: 'Range not satisfiable',
  429: 'Too many requests (see Retry-After)', 500: 'Internal error', 503: 'Not ready',
};

/** The catalogue's reasons answered with `status` (pure). */
export function reasonsFor(status: number): ErrorReason[] {
  return (Object.keys(ERROR_CATALOGUE) as ErrorReason[]).filter((r) => ERROR_CATALOGUE[r] === status);
}

function responses(schema: Json | undefined): Json {
  const out: Json = {};
  const declared = (schema?.response ?? {}) as Record<string, Json>;
  for (const [code, s] of Object.entries(declared)) {
    const status = Number(code);
    const isError = status >= 400;
    const described = (s as Json).content !== undefined;
    const reasons = isError ? reasonsFor(status) : [];
    out[code] = described ? { description: String(s.description ?? STATUS_TEXT[code] ?? code), content: plain(s.content) } : {
      description: isError ? `${STATUS_TEXT[code] ?? code}: reason one of ${reasons.join(', ')}` : STATUS_TEXT[code] ?? code,
      content: { 'application/json': { schema: isError ? { $ref: '#/components/schemas/ErrorBody' } : plain(s) } },
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } } : {}),
    };
  }
  if (Object.keys(out).length === 0) out['200'] = { description: 'OK' };
  return out;
}

export interface DocumentInfo { title: string; version: string; description: string; serverUrl: string }

/** The OpenAPI 3.1 document for `routes` (pure). */
export function openApiDocument(routes: readonly RecordedRoute[], info: DocumentInfo): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const s = r.schema;
    if (s?.hide === true) continue;
    const op: Json = {
      operationId: `${r.method}${openApiPath(r.url).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: String(s?.summary ?? `${r.method.toUpperCase()} ${r.url}`),
      ...(s?.description ? { description: s.description } : {}),
      ...(r.auth ? { security: [{ apiKey: [] }] } : { security: [] }),
      parameters: [...parameters('path', s?.params), ...parameters('query', s?.querystring), ...parameters('header', s?.headers)],
      ...(s?.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(s.body) } } } } : {}),
      responses: responses(s),
    };
    // a path parameter Fastify has without a schema still needs declaring
    for (const m of r.url.matchAll(/:([A-Za-z0-9_]+)/g)) {
      const params = op.parameters as Json[];
      if (!params.some((p) => p.in === 'path' && p.name === m[1])) params.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    }
    if (r.url.includes('*')) continue;
    (paths[openApiPath(r.url)] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key> (the bare key is accepted too)' } },
      schemas: {
        ErrorBody: {
          type: 'object', required: ['code', 'reason', 'message'],
          properties: {
            code: { type: 'integer', description: 'the HTTP status' },
            reason: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
            message: { type: 'string' },
            metadata: { type: 'object', properties: { field: { type: 'string' }, limit: { type: ['number', 'string'] }, actual: { type: ['number', 'string'] }, unit: { type: 'string' } } },
          },
        },
      },
    },
  };
}
