/**
 * GET /openapi.json is a valid OpenAPI 3.1 document (checked by a real validator against the official schema),
 * names every route the app serves with its parameters, bodies and error reasons, and the reference page renders it.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/domain/errors.js';
import { startService, type Service } from '../helpers/service-harness.js';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, {
    parameters: { name: string; in: string; required: boolean }[];
    requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
    responses: Record<string, { description: string }>;
    security: unknown[];
  }>>;
  components: { schemas: { ErrorBody: { properties: { reason: { enum: string[] } } } } };
}

describe('OpenAPI', () => {
  let svc: Service;
  let doc: Doc;
  beforeAll(async () => {
    svc = await startService();
    const r = await svc.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    doc = r.json() as Doc;
  });
  afterAll(async () => { await svc?.close(); });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has every route the app serves, and nothing it does not', () => {
    // Fastify's own route table, flat: "── v3/async/task-result (GET, HEAD)" under "└── / (GET, HEAD)"
    const served = new Set<string>();
    for (const line of svc.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /── (\S*) \(([A-Z, ]+)\)$/.exec(line);
      if (!m) continue;
      const url = m[1] === '/' ? '/' : `/${m[1]}`;
      for (const method of m[2].split(', ')) served.add(`${method} ${url.replace(/:([a-z]+)/g, '{$1}')}`);
    }
    const documented = new Set<string>();
    for (const [p, methods] of Object.entries(doc.paths)) for (const m of Object.keys(methods)) documented.add(`${m.toUpperCase()} ${p}`);
    expect(served.size).toBeGreaterThanOrEqual(20);
    expect([...documented].sort()).toEqual([...served].sort());
    for (const r of ['POST /v3/async/task-cancel', 'GET /v3/async/tasks', 'GET /v3/async/task-events', 'GET /openapi.json', 'GET /docs']) {
      expect(documented).toContain(r);
    }
  });

  it('describes the bodies, parameters, auth and every error reason', () => {
    const create = doc.paths['/v3/async/kling-v2.6-pro-motion-control'].post;
    expect(Object.keys(create.requestBody!.content['application/json'].schema.properties!)).toEqual(
      expect.arrayContaining(['image', 'video', 'character_orientation', 'prompt', 'negative_prompt', 'keep_original_sound', 'extra']));
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'idempotency-key', in: 'header', required: false }));
    expect(create.responses['409'].description).toContain('IDEMPOTENCY_KEY_REUSED');
    expect(create.responses['429'].description).toContain('RATE_LIMIT_EXCEEDED');
    expect(create.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    const list = doc.paths['/v3/async/tasks'].get;
    expect(list.parameters.map((p) => p.name).sort()).toEqual(['cursor', 'limit', 'status']);
    expect(doc.paths['/v3/async/task-result'].get.parameters).toContainEqual(expect.objectContaining({ name: 'task_id', in: 'query', required: true }));
    expect(doc.components.schemas.ErrorBody.properties.reason.enum.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it('renders a reference page from it, linked from the playground', async () => {
    const page = await svc.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    for (const p of Object.keys(doc.paths)) expect(page.body).toContain(`<code>${p}</code>`);
    const home = await svc.app.inject({ method: 'GET', url: '/' });
    expect(home.body).toContain('href="/docs"');
  });
});
