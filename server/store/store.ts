// Progress that survives reloads and restarts: one SQLite file (better-sqlite3, WAL mode).
// Visitors are anonymous ids from a cookie; each keeps steps passed, check attempts and the
// session (cluster + toolbox) they were last attached to, so a restarted server can re-adopt it.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/** Schema versions, applied in order; each runs once, recorded in user_version. */
const MIGRATIONS: string[] = [
  `CREATE TABLE visitors (
     id TEXT PRIMARY KEY,
     display_name TEXT,
     created_at INTEGER NOT NULL,
     seen_at INTEGER NOT NULL
   );
   CREATE TABLE step_progress (
     visitor_id TEXT NOT NULL REFERENCES visitors(id),
     lab TEXT NOT NULL,
     step INTEGER NOT NULL,
     started_at INTEGER,
     passed_at INTEGER,
     PRIMARY KEY (visitor_id, lab, step)
   );
   CREATE TABLE check_attempts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     visitor_id TEXT NOT NULL REFERENCES visitors(id),
     lab TEXT NOT NULL,
     step INTEGER NOT NULL,
     at INTEGER NOT NULL,
     passed INTEGER NOT NULL,
     results TEXT NOT NULL
   );
   CREATE INDEX check_attempts_by_visitor ON check_attempts(visitor_id, lab, step);
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     visitor_id TEXT NOT NULL REFERENCES visitors(id),
     lab TEXT NOT NULL,
     cluster TEXT NOT NULL,
     toolbox TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     ended_at INTEGER
   );
   CREATE INDEX sessions_live ON sessions(ended_at);`,
  // A timed scenario's clock starts once per visitor, at their first session, and survives
  // reloads, resets and server restarts.
  `CREATE TABLE scenario_runs (
     visitor_id TEXT NOT NULL REFERENCES visitors(id),
     lab TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     PRIMARY KEY (visitor_id, lab)
   );`,
];

export interface StepProgress {
  lab: string;
  step: number;
  startedAt: number | null;
  passedAt: number | null;
}

export interface SessionRecord {
  id: string;
  visitorId: string;
  lab: string;
  cluster: string;
  toolbox: string;
  createdAt: number;
  expiresAt: number;
}

/** A storage failure with what to do about it (full disk, read-only folder, corrupt file). */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_UNWRITABLE' | 'STORE_CORRUPT' | 'STORE_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }

  /** What an attendee is told: no server paths, what is wrong and who can fix it (the log has `message`). */
  get attendeeMessage(): string {
    return this.code === 'STORE_UNWRITABLE'
      ? 'the server cannot save progress right now (its disk is full or its data folder is read-only); your cluster is unaffected. Tell the workshop host: the server log says what to fix'
      : 'the server could not read or save progress; tell the workshop host: the server log says what to fix';
  }
}

function translate(error: unknown, file: string): never {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_FULL') throw new StoreError('STORE_UNWRITABLE', `the disk under ${file} is full: progress cannot be saved until space is freed`);
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN') throw new StoreError('STORE_UNWRITABLE', `${file} cannot be written (${code}): check the data folder's permissions and free space`);
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') throw new StoreError('STORE_CORRUPT', `${file} is damaged (${code}): move it aside and restart; kubelab starts a fresh one`);
  throw new StoreError('STORE_FAILED', `${file}: ${error instanceof Error ? error.message : String(error)}`);
}

/** A step started or a Check recorded, for live views (the classroom dashboard). */
export type ProgressEvent =
  | { type: 'step'; visitorId: string; lab: string; step: number; at: number }
  | { type: 'check'; visitorId: string; lab: string; step: number; at: number; passed: boolean };

export class Store {
  private readonly db: Database.Database;
  private readonly progressListeners = new Set<(event: ProgressEvent) => void>();
  private writeProblem: StoreError | undefined;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 2000');
      this.migrate();
    } catch (error) {
      translate(error, file);
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] ?? '');
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private write<T>(fn: () => T): T {
    try {
      const result = this.db.transaction(fn)();
      this.writeProblem = undefined;
      return result;
    } catch (error) {
      try {
        translate(error, this.file);
      } catch (storeError) {
        if (storeError instanceof StoreError && storeError.code === 'STORE_UNWRITABLE') this.writeProblem = storeError;
        throw storeError;
      }
    }
  }

  /** Why the last write failed, until one succeeds again (for /healthz and the visit middleware). */
  get unwritable(): StoreError | undefined {
    return this.writeProblem;
  }

  /** Records a visit; creates the visitor on first sight. */
  touchVisitor(id: string, displayName?: string): void {
    const at = this.now();
    this.write(() => {
      this.db
        .prepare(
          `INSERT INTO visitors (id, display_name, created_at, seen_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET seen_at = excluded.seen_at,
             display_name = COALESCE(excluded.display_name, visitors.display_name)`,
        )
        .run(id, displayName ?? null, at, at);
    });
  }

  displayName(id: string): string | undefined {
    const row = this.db.prepare('SELECT display_name FROM visitors WHERE id = ?').get(id) as { display_name: string | null } | undefined;
    return row?.display_name ?? undefined;
  }

  startStep(visitorId: string, lab: string, step: number): void {
    const at = this.now();
    this.write(() => {
      this.db
        .prepare(`INSERT INTO step_progress (visitor_id, lab, step, started_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
        .run(visitorId, lab, step, at);
    });
    this.emitProgress({ type: 'step', visitorId, lab, step, at });
  }

  /** Hears every step start and Check after it is stored; dispose() stops. */
  onProgress(listener: (event: ProgressEvent) => void): { dispose(): void } {
    this.progressListeners.add(listener);
    return { dispose: () => this.progressListeners.delete(listener) };
  }

  private emitProgress(event: ProgressEvent): void {
    for (const listener of this.progressListeners) listener(event);
  }

  /** Stores one press of Check; a passing one marks the step passed (first pass time kept). */
  recordCheck(visitorId: string, lab: string, step: number, passed: boolean, results: unknown): void {
    const at = this.now();
    this.write(() => {
      this.db.prepare('INSERT INTO check_attempts (visitor_id, lab, step, at, passed, results) VALUES (?, ?, ?, ?, ?, ?)').run(visitorId, lab, step, at, passed ? 1 : 0, JSON.stringify(results));
      this.db
        .prepare(
          `INSERT INTO step_progress (visitor_id, lab, step, started_at, passed_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(visitor_id, lab, step) DO UPDATE SET passed_at = COALESCE(step_progress.passed_at, excluded.passed_at)`,
        )
        .run(visitorId, lab, step, at, passed ? at : null);
    });
    this.emitProgress({ type: 'check', visitorId, lab, step, at, passed });
  }

  progress(visitorId: string, lab?: string): StepProgress[] {
    const rows = this.db
      .prepare(
        `SELECT lab, step, started_at AS startedAt, passed_at AS passedAt FROM step_progress
         WHERE visitor_id = ? AND (? IS NULL OR lab = ?) ORDER BY lab, step`,
      )
      .all(visitorId, lab ?? null, lab ?? null) as StepProgress[];
    return rows;
  }

  /** Starts the visitor's run of a scenario unless it has started; returns when it started. */
  startScenarioRun(visitorId: string, lab: string): number {
    const at = this.now();
    this.write(() => {
      this.db.prepare('INSERT INTO scenario_runs (visitor_id, lab, started_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(visitorId, lab, at);
    });
    return this.scenarioRunStart(visitorId, lab) ?? at;
  }

  /** When the visitor's run of a scenario started, if it has. */
  scenarioRunStart(visitorId: string, lab: string): number | undefined {
    const row = this.db.prepare('SELECT started_at AS startedAt FROM scenario_runs WHERE visitor_id = ? AND lab = ?').get(visitorId, lab) as { startedAt: number } | undefined;
    return row?.startedAt;
  }

  checkAttempts(visitorId: string, lab: string, step: number): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM check_attempts WHERE visitor_id = ? AND lab = ? AND step = ?').get(visitorId, lab, step) as { n: number };
    return row.n;
  }

  saveSession(s: SessionRecord): void {
    this.write(() => {
      this.db
        .prepare(
          `INSERT INTO sessions (id, visitor_id, lab, cluster, toolbox, created_at, expires_at) VALUES (@id, @visitorId, @lab, @cluster, @toolbox, @createdAt, @expiresAt)
           ON CONFLICT(id) DO UPDATE SET expires_at = excluded.expires_at, cluster = excluded.cluster, toolbox = excluded.toolbox`,
        )
        .run(s);
    });
  }

  endSession(id: string): void {
    this.write(() => {
      this.db.prepare('UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(this.now(), id);
    });
  }

  /** Sessions not ended: after a restart, the server re-adopts those whose cluster still exists. */
  liveSessions(): SessionRecord[] {
    return this.db
      .prepare(
        `SELECT id, visitor_id AS visitorId, lab, cluster, toolbox, created_at AS createdAt, expires_at AS expiresAt
         FROM sessions WHERE ended_at IS NULL ORDER BY created_at`,
      )
      .all() as SessionRecord[];
  }

  close(): void {
    this.db.close();
  }
}
