import type { ApiKeyRecord, ApiKeyStore } from '../types.js';
import type { Pool } from './db.js';

export class PostgresApiKeyStore implements ApiKeyStore {
  constructor(private readonly pool: Pool) {}

  async addKey(r: ApiKeyRecord): Promise<void> {
    await this.pool.query('INSERT INTO api_keys (id, hash, label, created_ms) VALUES ($1, $2, $3, $4)', [r.id, r.hash, r.label, r.createdMs]);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const row = (await this.pool.query<{ id: string; hash: string; label: string; created_ms: number }>('SELECT * FROM api_keys WHERE hash = $1', [hash])).rows[0];
    return row ? { id: row.id, hash: row.hash, label: row.label, createdMs: row.created_ms } : null;
  }

  async countKeys(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys')).rows[0].n;
  }
}
