import type { ApiKeyRecord, ApiKeyStore } from '../types.js';
import type { Db } from './db.js';

interface KeyRow { id: string; hash: string; label: string; created_ms: number }

export class SqliteApiKeyStore implements ApiKeyStore {
  private readonly insert;
  private readonly byHash;
  private readonly count;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO api_keys (id, hash, label, created_ms) VALUES (?, ?, ?, ?)');
    this.byHash = db.prepare('SELECT * FROM api_keys WHERE hash = ?');
    this.count = db.prepare('SELECT COUNT(*) AS n FROM api_keys');
  }

  async addKey(r: ApiKeyRecord): Promise<void> {
    this.insert.run(r.id, r.hash, r.label, r.createdMs);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const row = this.byHash.get(hash) as KeyRow | undefined;
    return (row ? { id: row.id, hash: row.hash, label: row.label, createdMs: row.created_ms } : null);
  }

  async countKeys(): Promise<number> {
    return ((this.count.get() as { n: number }).n);
  }
}
