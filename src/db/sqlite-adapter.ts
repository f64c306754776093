import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

// node:sqlite binds numbers, strings, bigints, null and bytes only; Kysely passes booleans too.
function bindable(values: ReadonlyArray<unknown>): SQLInputValue[] {
  return values.map((v) => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === undefined) return null;
    if (v instanceof Date) return v.toISOString();
    return v as SQLInputValue;
  });
}

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    // A statement that yields columns is a query (SELECT, or DML with RETURNING).
    this.reader = stmt.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...bindable(parameters));
  }
  run(parameters: ReadonlyArray<unknown>) {
    const { changes, lastInsertRowid } = this.#stmt.run(...bindable(parameters));
    return { changes, lastInsertRowid };
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...bindable(parameters));
  }
}

/** Kysely's SQLite dialect over Node's built-in `node:sqlite`, so no native addon is tied to one Node ABI. */
export function openSqlite(path: string): SqliteDatabase & { exec(sql: string): void } {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: 5000 });
  // WAL lets readers run while a writer commits; NORMAL sync is durable across process crashes in WAL mode.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  return {
    prepare: (sql: string) => new Statement(db.prepare(sql)),
    close: () => db.close(),
    exec: (sql: string) => db.exec(sql),
  };
}
