// Classroom state in the same SQLite file as progress, through its own connection and its own
// schema version (a row in `schema_parts`), so classrooms evolve without touching the Store's
// migrations. Progress itself (steps, Check attempts) stays in the Store's tables; this file
// reads them to build the dashboard, the export and the summary.
import Database from 'better-sqlite3';
import type { ClassroomInfo } from '../../protocol/classroom.js';

const PART = 'classrooms';
const MIGRATIONS: string[] = [
  `CREATE TABLE classrooms (
     id TEXT PRIMARY KEY,
     code TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     labs TEXT NOT NULL,
     seats INTEGER NOT NULL,
     prewarm INTEGER NOT NULL,
     session_minutes INTEGER NOT NULL,
     gated INTEGER NOT NULL,
     stuck_minutes INTEGER NOT NULL,
     starts_at INTEGER,
     ends_at INTEGER,
     created_at INTEGER NOT NULL,
     ended_at INTEGER,
     pace TEXT
   );
   CREATE TABLE classroom_seats (
     classroom_id TEXT NOT NULL REFERENCES classrooms(id),
     visitor_id TEXT NOT NULL,
     seat INTEGER NOT NULL,
     display_name TEXT NOT NULL,
     joined_at INTEGER NOT NULL,
     PRIMARY KEY (classroom_id, visitor_id),
     UNIQUE (classroom_id, seat)
   );
   CREATE INDEX classroom_seats_by_visitor ON classroom_seats(visitor_id);
   CREATE TABLE classroom_hands (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     classroom_id TEXT NOT NULL REFERENCES classrooms(id),
     visitor_id TEXT NOT NULL,
     raised_at INTEGER NOT NULL,
     note TEXT NOT NULL,
     resolved_at INTEGER
   );
   CREATE TABLE classroom_messages (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     classroom_id TEXT NOT NULL REFERENCES classrooms(id),
     visitor_id TEXT,
     text TEXT NOT NULL,
     at INTEGER NOT NULL
   );`,
];

/** A classroom's stored settings: what its instructor sees, with the labs as slugs. */
export type ClassroomRecord = Omit<ClassroomInfo, 'joinPath' | 'labs'> & { labs: string[] };

export interface SeatRecord {
  classroomId: string;
  visitorId: string;
  seat: number;
  displayName: string;
  joinedAt: number;
}

export interface HandRecord {
  id: number;
  classroomId: string;
  visitorId: string;
  raisedAt: number;
  note: string;
  resolvedAt: number | null;
}

/** A row of the Store's step_progress. */
export interface ProgressRow {
  visitorId: string;
  lab: string;
  step: number;
  startedAt: number | null;
  passedAt: number | null;
}

/** A row of the Store's check_attempts, with the titles of the checks that failed. */
export interface AttemptRow {
  visitorId: string;
  lab: string;
  step: number;
  at: number;
  passed: boolean;
  failed: string[];
}

interface ClassroomRow {
  id: string;
  code: string;
  name: string;
  labs: string;
  seats: number;
  prewarm: number;
  session_minutes: number;
  gated: number;
  stuck_minutes: number;
  starts_at: number | null;
  ends_at: number | null;
  created_at: number;
  ended_at: number | null;
  pace: string | null;
}

const toRecord = (r: ClassroomRow): ClassroomRecord => ({
  id: r.id,
  code: r.code,
  name: r.name,
  labs: JSON.parse(r.labs) as string[],
  seats: r.seats,
  prewarm: r.prewarm,
  sessionMinutes: r.session_minutes,
  gated: r.gated === 1,
  stuckMinutes: r.stuck_minutes,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  createdAt: r.created_at,
  endedAt: r.ended_at,
  pace: r.pace ? (JSON.parse(r.pace) as { lab: string; step: number }) : null,
});

/** Failed check titles out of a stored results JSON (the Store keeps whole CheckResults). */
function failedTitles(results: string): string[] {
  try {
    const parsed = JSON.parse(results) as { title?: unknown; passed?: unknown }[];
    return Array.isArray(parsed) ? parsed.filter((r) => r.passed === false).map((r) => String(r.title ?? '')) : [];
  } catch {
    return [];
  }
}

export class ClassroomStore {
  private readonly db: Database.Database;

  /** Opens `file`, which the Store has already created (its tables are read here). */
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_parts (part TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT version FROM schema_parts WHERE part = ?').get(PART) as { version: number } | undefined;
    for (let v = row?.version ?? 0; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] ?? '');
        this.db.prepare('INSERT INTO schema_parts (part, version) VALUES (?, ?) ON CONFLICT(part) DO UPDATE SET version = excluded.version').run(PART, v + 1);
      })();
    }
  }

  create(c: ClassroomRecord): void {
    this.db
      .prepare(
        `INSERT INTO classrooms (id, code, name, labs, seats, prewarm, session_minutes, gated, stuck_minutes, starts_at, ends_at, created_at, ended_at, pace)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
      )
      .run(c.id, c.code, c.name, JSON.stringify(c.labs), c.seats, c.prewarm, c.sessionMinutes, c.gated ? 1 : 0, c.stuckMinutes, c.startsAt, c.endsAt, c.createdAt);
  }

  get(id: string): ClassroomRecord | undefined {
    const row = this.db.prepare('SELECT * FROM classrooms WHERE id = ?').get(id) as ClassroomRow | undefined;
    return row && toRecord(row);
  }

  byCode(code: string): ClassroomRecord | undefined {
    const row = this.db.prepare('SELECT * FROM classrooms WHERE code = ?').get(code) as ClassroomRow | undefined;
    return row && toRecord(row);
  }

  /** Every classroom, newest first. */
  list(): ClassroomRecord[] {
    return (this.db.prepare('SELECT * FROM classrooms ORDER BY created_at DESC').all() as ClassroomRow[]).map(toRecord);
  }

  setPace(id: string, pace: { lab: string; step: number } | null): void {
    this.db.prepare('UPDATE classrooms SET pace = ? WHERE id = ?').run(pace ? JSON.stringify(pace) : null, id);
  }

  end(id: string, at: number): void {
    this.db.prepare('UPDATE classrooms SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(at, id);
  }

  seats(classroomId: string): SeatRecord[] {
    return this.db
      .prepare('SELECT classroom_id AS classroomId, visitor_id AS visitorId, seat, display_name AS displayName, joined_at AS joinedAt FROM classroom_seats WHERE classroom_id = ? ORDER BY seat')
      .all(classroomId) as SeatRecord[];
  }

  /** The visitor's seat in a classroom that has not ended (the latest they joined). */
  activeSeat(visitorId: string): SeatRecord | undefined {
    return this.db
      .prepare(
        `SELECT s.classroom_id AS classroomId, s.visitor_id AS visitorId, s.seat, s.display_name AS displayName, s.joined_at AS joinedAt
         FROM classroom_seats s JOIN classrooms c ON c.id = s.classroom_id
         WHERE s.visitor_id = ? AND c.ended_at IS NULL ORDER BY s.joined_at DESC LIMIT 1`,
      )
      .get(visitorId) as SeatRecord | undefined;
  }

  /** Gives the visitor a seat (their old one on a rejoin), or undefined when the room is full. */
  takeSeat(classroomId: string, visitorId: string, displayName: string, capacity: number, at: number): { seat: SeatRecord; rejoined: boolean } | undefined {
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT seat FROM classroom_seats WHERE classroom_id = ? AND visitor_id = ?').get(classroomId, visitorId) as { seat: number } | undefined;
      if (existing) {
        this.db.prepare('UPDATE classroom_seats SET display_name = ? WHERE classroom_id = ? AND visitor_id = ?').run(displayName, classroomId, visitorId);
        return { seat: { classroomId, visitorId, seat: existing.seat, displayName, joinedAt: at }, rejoined: true };
      }
      const taken = new Set((this.db.prepare('SELECT seat FROM classroom_seats WHERE classroom_id = ?').all(classroomId) as { seat: number }[]).map((r) => r.seat));
      let seat = 1;
      while (taken.has(seat)) seat++;
      if (seat > capacity) return undefined;
      this.db.prepare('INSERT INTO classroom_seats (classroom_id, visitor_id, seat, display_name, joined_at) VALUES (?, ?, ?, ?, ?)').run(classroomId, visitorId, seat, displayName, at);
      return { seat: { classroomId, visitorId, seat, displayName, joinedAt: at }, rejoined: false };
    })();
  }

  raiseHand(classroomId: string, visitorId: string, note: string, at: number): void {
    const open = this.db.prepare('SELECT id FROM classroom_hands WHERE classroom_id = ? AND visitor_id = ? AND resolved_at IS NULL').get(classroomId, visitorId);
    if (!open) this.db.prepare('INSERT INTO classroom_hands (classroom_id, visitor_id, raised_at, note) VALUES (?, ?, ?, ?)').run(classroomId, visitorId, at, note);
  }

  /** Resolves a hand by id, or every open hand of a visitor; returns the visitors whose hand went down. */
  resolveHands(classroomId: string, by: { id: number } | { visitorId: string }, at: number): string[] {
    const rows = ('id' in by
      ? this.db.prepare('SELECT visitor_id AS v FROM classroom_hands WHERE classroom_id = ? AND id = ? AND resolved_at IS NULL').all(classroomId, by.id)
      : this.db.prepare('SELECT visitor_id AS v FROM classroom_hands WHERE classroom_id = ? AND visitor_id = ? AND resolved_at IS NULL').all(classroomId, by.visitorId)) as { v: string }[];
    if ('id' in by) this.db.prepare('UPDATE classroom_hands SET resolved_at = ? WHERE classroom_id = ? AND id = ? AND resolved_at IS NULL').run(at, classroomId, by.id);
    else this.db.prepare('UPDATE classroom_hands SET resolved_at = ? WHERE classroom_id = ? AND visitor_id = ? AND resolved_at IS NULL').run(at, classroomId, by.visitorId);
    return rows.map((r) => r.v);
  }

  /** Open hands, oldest first (the queue). */
  openHands(classroomId: string): HandRecord[] {
    return this.db
      .prepare('SELECT id, classroom_id AS classroomId, visitor_id AS visitorId, raised_at AS raisedAt, note, resolved_at AS resolvedAt FROM classroom_hands WHERE classroom_id = ? AND resolved_at IS NULL ORDER BY raised_at, id')
      .all(classroomId) as HandRecord[];
  }

  addMessage(classroomId: string, visitorId: string | null, text: string, at: number): void {
    this.db.prepare('INSERT INTO classroom_messages (classroom_id, visitor_id, text, at) VALUES (?, ?, ?, ?)').run(classroomId, visitorId, text, at);
  }

  /** step_progress of these visitors in these labs. */
  progress(visitors: string[], labs: string[]): ProgressRow[] {
    if (!visitors.length || !labs.length) return [];
    return this.db
      .prepare(
        `SELECT visitor_id AS visitorId, lab, step, started_at AS startedAt, passed_at AS passedAt FROM step_progress
         WHERE visitor_id IN (SELECT value FROM json_each(?)) AND lab IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(visitors), JSON.stringify(labs)) as ProgressRow[];
  }

  /** check_attempts of these visitors in these labs, oldest first. */
  attempts(visitors: string[], labs: string[]): AttemptRow[] {
    if (!visitors.length || !labs.length) return [];
    const rows = this.db
      .prepare(
        `SELECT visitor_id AS visitorId, lab, step, at, passed, results FROM check_attempts
         WHERE visitor_id IN (SELECT value FROM json_each(?)) AND lab IN (SELECT value FROM json_each(?)) ORDER BY at, id`,
      )
      .all(JSON.stringify(visitors), JSON.stringify(labs)) as { visitorId: string; lab: string; step: number; at: number; passed: number; results: string }[];
    return rows.map((r) => ({ visitorId: r.visitorId, lab: r.lab, step: r.step, at: r.at, passed: r.passed === 1, failed: r.passed === 1 ? [] : failedTitles(r.results) }));
  }

  close(): void {
    this.db.close();
  }
}
