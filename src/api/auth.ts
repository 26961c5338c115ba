/**
 * API keys: `Authorization: Bearer <key>` (scheme case-insensitive) or the bare key. Keys are known by
 * their SHA-256; a task's owner is that hash. Stored keys are looked up by hash; env keys are compared
 * in constant time. Successful lookups are cached (the task-result path is hot).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { ApiKeyStore } from '../tasks/types.js';

export function invalidApiKey(): AppError {
  return new AppError('INVALID_API_KEY', 'invalid api-key');
}

/** The key in an Authorization header value, or null when there is none (pure). */
export function parseAuthorization(header: string | undefined): string | null {
  if (header === undefined) return null;
  const v = header.trim();
  if (v === '') return null;
  const m = /^bearer\s+(\S+)$/i.exec(v);
  if (m) return m[1];
  if (/\s/.test(v)) return null; // another scheme, e.g. "Basic xyz"
  return v;
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** A new key: `mk_` + 32 random bytes, base64url. */
export function generateApiKey(): string {
  return `mk_${randomBytes(32).toString('base64url')}`;
}

export async function createStoredKey(keys: ApiKeyStore, label: string, nowMs: number): Promise<{ key: string; id: string }> {
  const key = generateApiKey();
  const id = randomUUID();
  await keys.addKey({ id, hash: hashKey(key).toString('hex'), label, createdMs: nowMs });
  return { key, id };
}

const CACHE_LIMIT = 1000;

export class ApiKeyAuth {
  private readonly envHashes: Buffer[];
  /** Authorization header value → owner hash, for keys already proven valid. */
  private readonly cache = new Map<string, string>();

  constructor(private readonly keys: ApiKeyStore, envKeys: readonly string[]) {
    this.envHashes = envKeys.map(hashKey);
  }

  /** The owner for a header already proven valid, without any lookup. */
  cachedOwner(header: string | undefined): string | undefined {
    return header === undefined ? undefined : this.cache.get(header);
  }

  /** The owner (hex SHA-256 of the key) or an INVALID_API_KEY error. */
  async authenticate(header: string | undefined): Promise<string> {
    if (header !== undefined) {
      const hit = this.cache.get(header);
      if (hit !== undefined) return hit;
    }
    const key = parseAuthorization(header);
    if (key === null || key.length > 512) throw invalidApiKey();
    const hash = hashKey(key);
    let ok = false;
    for (const h of this.envHashes) ok = timingSafeEqual(h, hash) || ok; // no early exit
    if (!ok) {
      const stored = await this.keys.findByHash(hash.toString('hex'));
      ok = stored !== null && timingSafeEqual(Buffer.from(stored.hash, 'hex'), hash);
    }
    if (!ok) throw invalidApiKey();
    const owner = hash.toString('hex');
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(header!, owner);
    return owner;
  }
}
