/**
 * The store's schema as an ordered list of migrations. The version lives in PRAGMA user_version and
 * the file is marked as daxlab's with PRAGMA application_id, both in the database header, so a file
 * can be identified (and refused) without reading any table. The pending migrations run in one
 * IMMEDIATE transaction together with their user_version bumps: a crash leaves the file at the old
 * version or the new one, never between.
 *
 * Rules for adding a migration: append, never edit a shipped one (users' files already ran it); keep
 * it self-contained (no imports of today's codecs, whose behaviour may move on); only additive or
 * rebuild-by-copy changes. A rebuild that drops a referenced table needs PRAGMA foreign_keys = OFF,
 * which is a no-op inside a transaction, so such a migration must be run specially.
 */
import type Database from 'better-sqlite3'
import { crc32, gunzipSync } from 'node:zlib'

/** 'DAXL' as a big-endian u32, stored at header offset 68. */
export const APPLICATION_ID = 0x4441584c

export interface Migration {
  readonly version: number
  readonly description: string
  up(db: Database.Database): void
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'initial schema',
    up(db) {
      db.pragma(`application_id = ${APPLICATION_ID}`)
      db.exec(`
        -- Profiles are deduplicated by a hash of their canonical JSON: many runs share one machine.
        CREATE TABLE profiles (
          id    INTEGER PRIMARY KEY,
          hash  TEXT NOT NULL UNIQUE,
          name  TEXT,                -- NULL for a profile written inline in a scenario
          arch  TEXT NOT NULL,
          body  TEXT NOT NULL        -- canonical JSON of the parsed profile
        );

        CREATE TABLE scenarios (
          id     INTEGER PRIMARY KEY,
          name   TEXT NOT NULL,
          hash   TEXT NOT NULL,      -- sha256 of source
          source TEXT NOT NULL,      -- YAML as the user wrote it
          UNIQUE (hash, name)
        );

        CREATE TABLE sessions (
          id         INTEGER PRIMARY KEY,
          name       TEXT NOT NULL UNIQUE,
          created_at TEXT NOT NULL
        );

        -- AUTOINCREMENT: a deleted run's id is never handed to a new run, so an id a user noted down
        -- (or a link in a report) never silently points at a different run.
        CREATE TABLE runs (
          id           INTEGER PRIMARY KEY AUTOINCREMENT,
          session_id   INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
          scenario_id  INTEGER NOT NULL REFERENCES scenarios(id),
          profile_id   INTEGER NOT NULL REFERENCES profiles(id),
          kernel       TEXT NOT NULL,
          scheme       TEXT NOT NULL CHECK (scheme IN ('legacy', 'refcounted')),
          arch         TEXT NOT NULL,
          variant      TEXT NOT NULL,
          created_at   TEXT NOT NULL,  -- ISO-8601 UTC
          steps        INTEGER NOT NULL,
          violations   INTEGER NOT NULL,
          blocked      INTEGER NOT NULL,
          events       INTEGER NOT NULL,
          result_codec TEXT NOT NULL CHECK (result_codec IN ('json', 'gzip')),
          result       BLOB NOT NULL   -- TEXT when result_codec = 'json', gzip bytes otherwise
        );
        CREATE INDEX runs_session ON runs (session_id);
        CREATE INDEX runs_scenario ON runs (scenario_id);
        CREATE INDEX runs_profile ON runs (profile_id);
        CREATE INDEX runs_kernel ON runs (kernel);

        CREATE TABLE run_steps (
          run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          idx             INTEGER NOT NULL,
          op              TEXT NOT NULL,
          task            TEXT NOT NULL,
          status          TEXT NOT NULL CHECK (status IN ('ok', 'error', 'blocked')),
          waited          INTEGER NOT NULL CHECK (waited IN (0, 1)),
          completed_after INTEGER,
          error           TEXT,
          signal          TEXT,
          PRIMARY KEY (run_id, idx)
        ) WITHOUT ROWID;

        CREATE TABLE violations (
          id      INTEGER PRIMARY KEY,
          run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          kind    TEXT NOT NULL,
          step    INTEGER NOT NULL,
          message TEXT NOT NULL,
          pfn     TEXT                -- hex as in the run result, e.g. '0x240000'
        );
        CREATE INDEX violations_run ON violations (run_id);
        CREATE INDEX violations_kind ON violations (kind);

        -- The event log's task and cause string tables; events hold indexes into them.
        CREATE TABLE run_strings (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          kind   TEXT NOT NULL CHECK (kind IN ('task', 'cause')),
          idx    INTEGER NOT NULL,
          text   TEXT NOT NULL,
          PRIMARY KEY (run_id, kind, idx)
        ) WITHOUT ROWID;

        -- Events packed columnar, a few thousand per row (main/store/event-codec.ts). The summary
        -- columns let queries skip chunks without reading their BLOB; data comes last so SQLite
        -- reads its overflow pages only when the BLOB itself is asked for.
        -- A rowid table on purpose, unlike run_steps: in a WITHOUT ROWID table (an index b-tree)
        -- reading any column of a ~170 KiB row pulls in its whole overflow chain, which made a scan
        -- of the summary columns of a 1M-event run take ~6 ms instead of ~0.03 ms (docs/store.md).
        CREATE TABLE event_chunks (
          run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          chunk_no  INTEGER NOT NULL,
          first_seq INTEGER NOT NULL,
          count     INTEGER NOT NULL,
          step_min  INTEGER NOT NULL,
          step_max  INTEGER NOT NULL,
          kinds     INTEGER NOT NULL,  -- bit k set when the chunk holds an event of kind k
          data      BLOB NOT NULL,
          PRIMARY KEY (run_id, chunk_no)
        );
      `)
    },
  },
  {
    version: 2,
    description: 'runs.quirks: the kernel model quirks in force, as a JSON array, for filtering',
    up(db) {
      db.exec(`ALTER TABLE runs ADD COLUMN quirks TEXT NOT NULL DEFAULT '[]'`)
      // Backfill from the stored result. Decoding is inlined (not the live codec) so this migration
      // keeps doing what it did when it shipped.
      const select = db.prepare('SELECT id, result_codec, result FROM runs')
      const update = db.prepare('UPDATE runs SET quirks = ? WHERE id = ?')
      for (const row of select.all() as { id: number; result_codec: string; result: string | Buffer }[]) {
        const text = row.result_codec === 'gzip' ? gunzipSync(row.result as Buffer).toString('utf8') : String(row.result)
        const quirks: unknown = (JSON.parse(text) as { quirks?: unknown }).quirks
        update.run(JSON.stringify(Array.isArray(quirks) ? quirks : []), row.id)
      }
    },
  },
  {
    version: 3,
    description: 'checksums on runs and event chunks; packed step and violation chunks (run_records) for new runs',
    up(db) {
      db.exec(`
        -- 1: the result BLOB holds the whole RunResult; steps and violations are also rows of
        --    run_steps and violations (runs written before version 3).
        -- 2: the result holds the RunResult with empty steps and violations arrays; those live packed
        --    in run_records (main/store/record-codec.ts), the violation kinds in run_violation_kinds.
        ALTER TABLE runs ADD COLUMN layout INTEGER NOT NULL DEFAULT 1 CHECK (layout IN (1, 2));
        -- CRC-32 of the row's fields, string tables and result bytes (main/store/checksum.ts runChecksum).
        ALTER TABLE runs ADD COLUMN checksum INTEGER;
        -- CRC-32 of the summary columns and data (main/store/checksum.ts eventChunkChecksum).
        ALTER TABLE event_chunks ADD COLUMN checksum INTEGER;

        -- A run's step results ('steps') or violations ('violations'), a few thousand records per row.
        CREATE TABLE run_records (
          run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          kind     TEXT NOT NULL CHECK (kind IN ('steps', 'violations')),
          chunk_no INTEGER NOT NULL,
          first    INTEGER NOT NULL,   -- index of the chunk's first record in the run's list
          count    INTEGER NOT NULL,
          checksum INTEGER NOT NULL,   -- CRC-32, recordChunkChecksum
          data     BLOB NOT NULL,
          PRIMARY KEY (run_id, kind, chunk_no)
        );

        -- How many violations of each kind a layout-2 run has: finds runs by violation kind in SQL.
        CREATE TABLE run_violation_kinds (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          kind   TEXT NOT NULL,
          count  INTEGER NOT NULL,
          PRIMARY KEY (run_id, kind)
        ) WITHOUT ROWID;
        CREATE INDEX run_violation_kinds_kind ON run_violation_kinds (kind);
      `)
      // Backfill. The checksums are computed here with a copy of the code as it shipped (checksum.ts
      // must keep computing the same bytes), so this migration never changes meaning.
      const numbers = (xs: number[]) => {
        const b = Buffer.allocUnsafe(8 * xs.length)
        xs.forEach((n, i) => b.writeDoubleLE(n, 8 * i))
        return b
      }
      // One chunk in memory at a time (a statement cannot write while another iterates).
      const rowids = db.prepare('SELECT rowid FROM event_chunks').pluck().all() as number[]
      const chunk = db.prepare<[number], { first_seq: number; count: number; step_min: number; step_max: number; kinds: number; data: Buffer }>(
        'SELECT first_seq, count, step_min, step_max, kinds, data FROM event_chunks WHERE rowid = ?',
      )
      const setChunk = db.prepare('UPDATE event_chunks SET checksum = ? WHERE rowid = ?')
      for (const rowid of rowids) {
        const c = chunk.get(rowid)!
        setChunk.run(crc32(c.data, crc32(numbers([c.first_seq, c.count, c.step_min, c.step_max, c.kinds]))), rowid)
      }
      const strings = db.prepare<[number, string]>('SELECT text FROM run_strings WHERE run_id = ? AND kind = ? ORDER BY idx').pluck()
      const runIds = db.prepare('SELECT id FROM runs').pluck().all() as number[]
      const run = db.prepare<[number], Record<string, string | number | Buffer>>('SELECT * FROM runs WHERE id = ?')
      const setRun = db.prepare('UPDATE runs SET checksum = ? WHERE id = ?')
      for (const id of runIds) {
        const r = run.get(id)!
        const fields = [r.kernel, r.scheme, r.quirks, r.arch, r.variant, r.created_at, r.steps, r.violations, r.blocked, r.events, r.result_codec, 1, strings.all(r.id as number, 'task'), strings.all(r.id as number, 'cause')]
        setRun.run(crc32(r.result as string | Buffer, crc32(JSON.stringify(fields))), r.id)
      }
    },
  },
  {
    version: 4,
    description: 'sessions as objects: note, sweep plan, per-combination items, run digests, imported archives',
    up(db) {
      db.exec(`
        -- A sweep freezes its whole matrix when it starts: plan is the request as JSON, planned the size
        -- of the full matrix (every shard), matrix_hash identifies the matrix so shards can merge.
        -- Sessions made by 'daxlab run --session' have no plan and are complete by definition.
        ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN plan TEXT;
        ALTER TABLE sessions ADD COLUMN planned INTEGER;
        ALTER TABLE sessions ADD COLUMN matrix_hash TEXT;

        -- One row per combination of the matrix this store holds (a shard holds its slice). status
        -- 'pending' is what --resume runs; 'skipped' carries the reason the machine cannot run it.
        -- scenario and profile rows are the frozen inputs: --resume runs them, not today's library.
        CREATE TABLE session_items (
          session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          idx         INTEGER NOT NULL,  -- position in the full matrix (stable across shards)
          scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
          profile_id  INTEGER NOT NULL REFERENCES profiles(id),
          kernel      TEXT NOT NULL,     -- as requested (6.14, legacy, ...)
          arch        TEXT NOT NULL,
          variant     TEXT NOT NULL,
          status      TEXT NOT NULL CHECK (status IN ('pending', 'done', 'skipped', 'failed')),
          reason      TEXT,
          run_id      INTEGER REFERENCES runs(id) ON DELETE SET NULL,
          PRIMARY KEY (session_id, idx)
        ) WITHOUT ROWID;
        CREATE INDEX session_items_run ON session_items (run_id);
        CREATE INDEX session_items_scenario ON session_items (scenario_id);
        CREATE INDEX session_items_profile ON session_items (profile_id);

        -- Content digests of a run (main/store/sessions/digest.ts): equal digests mean equal runs,
        -- so the diff skips decoding them. Written by sweeps; computed on demand for other runs.
        CREATE TABLE run_digests (
          run_id        INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
          result_sha256 TEXT NOT NULL,
          events_sha256 TEXT NOT NULL
        );

        -- Archives already imported, by content checksum: importing one twice is detected.
        CREATE TABLE imported_archives (
          content_sha256 TEXT PRIMARY KEY,
          session_id     INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
          imported_at    TEXT NOT NULL
        );
      `)
    },
  },
  {
    version: 5,
    description: 'user profiles and user scenarios: machines and scenarios saved from the app (or imported), by name',
    up(db) {
      db.exec(`
        -- A user's own hardware profiles and scenarios, kept as the text they were saved as (YAML), so an
        -- export gives back what was written. Names are unique here and may not be a built-in's name
        -- (main/store/user-library.ts refuses that; a built-in is never shadowed). Runs do not point at
        -- these rows: a run keeps its own frozen copy (profiles, scenarios), so editing or deleting a user
        -- profile never changes a stored run.
        CREATE TABLE user_profiles (
          name        TEXT PRIMARY KEY,
          arch        TEXT NOT NULL,
          description TEXT NOT NULL DEFAULT '',
          text        TEXT NOT NULL,
          created_at  TEXT NOT NULL,  -- ISO-8601 UTC
          updated_at  TEXT NOT NULL
        );
        CREATE TABLE user_scenarios (
          name        TEXT PRIMARY KEY,
          topic       TEXT NOT NULL,  -- the library's grouping: first tag, else the name's first word
          description TEXT NOT NULL DEFAULT '',
          text        TEXT NOT NULL,
          created_at  TEXT NOT NULL,
          updated_at  TEXT NOT NULL
        );
      `)
    },
  },
  {
    version: 6,
    description: 'streamed runs: the ids of runs whose event chunks are written while they are simulated',
    up(db) {
      db.exec(`
        -- A run saved while it is simulated (main/store/streamed-runs.ts) takes its id here when it
        -- starts, and its event chunks go into event_chunks under that id as they come, before its runs
        -- row exists (so those inserts run with foreign keys off). Its last transaction writes the runs
        -- row and deletes this row. A row left here is a run whose writer died: nothing reads its chunks
        -- (every read starts from runs), and the next write from the same host deletes them once the
        -- process is gone. No REFERENCES: the run row is written last, by design.
        CREATE TABLE streamed_runs (
          run_id     INTEGER PRIMARY KEY,
          pid        INTEGER NOT NULL,  -- the writing process, to tell a live writer from a dead one
          host       TEXT NOT NULL,     -- its host name: a pid means nothing on another machine
          started_at TEXT NOT NULL      -- ISO-8601 UTC
        );
      `)
    },
  },
  {
    version: 7,
    description: 'record chunks of format version 2: step results that repeat an earlier one are stored as references to it',
    up() {
      // No table changes. run_records rows written from this version on may use record chunk format 2
      // (main/store/record-codec.ts), which a build of schema 6 cannot read; the version bump makes such
      // a build refuse the whole store (or an archive) up front, with "schema version 7 is newer than
      // this daxlab supports", instead of failing on one run's steps. Format 1 chunks are read as ever.
    },
  },
]

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version

MIGRATIONS.forEach((m, i) => {
  if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}; versions must run 1, 2, 3, ...`)
})

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Applies the migrations above the file's version, up to `target` (tests stop early to build old
 * files), inside the caller's transaction: TraceStore.open runs this under one IMMEDIATE transaction
 * together with identifying the file, so concurrent openers of a new file serialise on the write lock
 * and each sees either nothing or the finished schema.
 */
export function migrateLocked(db: Database.Database, target = SCHEMA_VERSION): void {
  for (const m of MIGRATIONS) {
    if (m.version > target) break
    if (userVersion(db) >= m.version) continue
    m.up(db)
    db.pragma(`user_version = ${m.version}`)
  }
}

/** migrateLocked in its own IMMEDIATE transaction: all pending migrations commit together or not at all. */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): void {
  db.transaction(() => migrateLocked(db, target)).immediate()
}

export type FileIdentity =
  | { readonly kind: 'empty' }
  | { readonly kind: 'daxlab'; readonly version: number }
  | { readonly kind: 'foreign'; readonly reason: string }

/** Classifies an open SQLite file by reading only (header pragmas and the schema table). */
export function identify(db: Database.Database): FileIdentity {
  const appId = db.pragma('application_id', { simple: true }) as number
  const version = userVersion(db)
  if (appId === APPLICATION_ID) return { kind: 'daxlab', version }
  const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[]
  if (appId === 0 && version === 0 && tables.length === 0) return { kind: 'empty' }
  if (appId !== 0) return { kind: 'foreign', reason: `it is an SQLite database of another application (application_id 0x${(appId >>> 0).toString(16)})` }
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', ...' : '')
  return { kind: 'foreign', reason: `it is an SQLite database without daxlab's marker (tables: ${shown || 'none'}; user_version ${version})` }
}
