import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiKeyAuth, generateApiKey, parseAuthorization } from '../../src/api/auth.js';
import { AppError } from '../../src/domain/errors.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../src/tasks/types.js';

class MemoryKeys implements ApiKeyStore {
  lookups = 0;
  constructor(private readonly records: ApiKeyRecord[] = []) {}
  addKey(r: ApiKeyRecord) { this.records.push(r); return Promise.resolve(); }
  findByHash(hash: string) { this.lookups++; return Promise.resolve(this.records.find((r) => r.hash === hash) ?? null); }
  countKeys() { return Promise.resolve(this.records.length); }
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('parseAuthorization', () => {
  it.each([
    ['Bearer abc123', 'abc123'], ['bearer abc123', 'abc123'], ['BEARER   abc123 ', 'abc123'], ['abc123', 'abc123'],
    [undefined, null], ['', null], ['Bearer', 'Bearer'], ['Basic dXNlcjpwYXNz', null], ['Bearer a b', null],
  ])('%j → %j', (header, key) => {
    expect(parseAuthorization(header)).toBe(key);
  });
});

describe('ApiKeyAuth', () => {
  const stored = generateApiKey();
  const envKey = 'env-key-0123456789abcdef';

  it('accepts stored and env keys, Bearer or bare, and names the owner by the key hash', async () => {
    const auth = new ApiKeyAuth(new MemoryKeys([{ id: '1', hash: sha(stored), label: '', createdMs: 0 }]), [envKey]);
    expect(await auth.authenticate(`Bearer ${stored}`)).toBe(sha(stored));
    expect(await auth.authenticate(stored)).toBe(sha(stored));
    expect(await auth.authenticate(`bearer ${envKey}`)).toBe(sha(envKey));
  });

  it('refuses missing and unknown keys with INVALID_API_KEY', async () => {
    const auth = new ApiKeyAuth(new MemoryKeys(), [envKey]);
    for (const h of [undefined, '', 'Bearer nope', 'Basic x', `Bearer ${envKey}x`]) {
      const err = await auth.authenticate(h).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).reason).toBe('INVALID_API_KEY');
      expect((err as AppError).message).toBe('invalid api-key');
      expect((err as AppError).status).toBe(403);
    }
  });

  it('caches proven keys only', async () => {
    const keys = new MemoryKeys([{ id: '1', hash: sha(stored), label: '', createdMs: 0 }]);
    const auth = new ApiKeyAuth(keys, []);
    await auth.authenticate(`Bearer ${stored}`);
    await auth.authenticate(`Bearer ${stored}`);
    expect(keys.lookups).toBe(1);
    await auth.authenticate('Bearer wrong').catch(() => {});
    await auth.authenticate('Bearer wrong').catch(() => {});
    expect(keys.lookups).toBe(3);
  });

  it('generates unguessable keys', () => {
    const k = generateApiKey();
    expect(k).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(k);
  });
});
