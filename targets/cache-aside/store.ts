import type { NodeCredentials } from '../../harness/runtimes/docker/target.js';
import { sessionOptions } from '../postgres/client.js';
import { PgSession, type Sql, type Statement } from '../postgres/session.js';

/**
 * The database behind the cache: a row per key in PostgreSQL, the truth the cache is a copy of. Every access is one
 * autocommitted statement on this process's own session; a row that does not exist is a key never written (null).
 */
const schema = (sql: Sql): Statement[] => [sql`CREATE TABLE IF NOT EXISTS faultline_cache_aside (key text PRIMARY KEY, value int NOT NULL)`];

/**
 * Creates the table and empties it: a run's values are checked against what it wrote, so rows left by an earlier run
 * on the same server (the user's own, with `--runtime external`) would read as values nobody wrote.
 */
export async function createStore(endpoint: { host: string; port: number }, credentials?: NodeCredentials): Promise<void> {
  const session = new PgSession(sessionOptions(endpoint, 'cache-aside-setup', credentials));
  try {
    await session.batch((sql) => [...schema(sql), sql`TRUNCATE faultline_cache_aside`]);
  } finally {
    session.close();
  }
}

export class Store {
  private session: PgSession | undefined;

  constructor(
    private readonly endpoint: { host: string; port: number },
    private readonly process: number | string,
    private readonly credentials?: NodeCredentials,
  ) {}

  /**
   * Opens this process's session when it has none that works (a round trip): what fails here sent nothing, so the
   * op that asked certainly did not touch the database.
   */
  async connect(): Promise<void> {
    if (this.session?.usable) return;
    this.session?.close();
    const session = new PgSession(sessionOptions(this.endpoint, `cache-aside-${String(this.process)}`, this.credentials));
    this.session = session;
    await session.connect();
  }

  async read(key: string): Promise<number | null> {
    const rows = await this.run((sql) => sql`SELECT value FROM faultline_cache_aside WHERE key = ${key}`);
    return rows.length === 0 ? null : (rows[0].value as number);
  }

  async write(key: string, value: number): Promise<void> {
    await this.run((sql) => sql`INSERT INTO faultline_cache_aside (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`);
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  private async run(build: (sql: Sql) => Statement) {
    if (!this.session?.usable) throw new Error('no session (connect first)');
    return this.session.one(build);
  }
}
