/**
 * The user's own library in the trace store (migration 5): hardware profiles and scenarios saved from
 * the app or imported with the CLI, each by a unique name and kept as the text it was saved as. Every
 * text is parsed with the same schemas as the CLI before it is written, so the store never holds a
 * document the engine would refuse, and a name that is a built-in's is refused: a user entry never
 * shadows a built-in silently (docs/store.md#user-library).
 */
import type Database from 'better-sqlite3'
import { FormatError } from '../formats/errors'
import { parseProfileText, parseScenarioText } from '../formats/load'
import type { Profile } from '../formats/profile'
import { builtinProfileNames, builtinScenarioNames } from '../library/index'
import { scenarioTopic } from '../library/topic'
import type { TraceStore } from './trace-store'

/** A refused save or delete: `field` names what to fix (`name`, `text`), the message says why. */
export class UserLibraryError extends Error {
  override name = 'UserLibraryError'
  constructor(
    readonly field: 'name' | 'text',
    message: string,
    /** The document's own issues, when the text does not validate (with lines). */
    readonly format?: FormatError,
  ) {
    super(message)
  }
}

export interface UserEntry {
  readonly name: string
  readonly description: string
  readonly createdAt: string
  readonly updatedAt: string
}

export interface UserProfileEntry extends UserEntry {
  readonly arch: string
}

export interface UserScenarioEntry extends UserEntry {
  readonly topic: string
}

export interface SaveOptions {
  /** Overwrite a user entry of the same name (an edit); without it an existing name is refused. */
  readonly replace?: boolean
  /** What errors call the text (a file path for the CLI's import). */
  readonly file?: string
}

/** Longest user profile or scenario name: names appear in tables and file names. */
export const MAX_USER_NAME = 200

/** The library groups a scenario by its first tag, else the first word of its name (as the built-ins). */
function checkName(name: string | undefined, kind: 'profile' | 'scenario', builtins: readonly string[]): string {
  if (name === undefined || name.trim() === '') throw new UserLibraryError('name', `a saved ${kind} needs a name`)
  if (name.length > MAX_USER_NAME) throw new UserLibraryError('name', `the ${kind} name is ${name.length} characters long; at most ${MAX_USER_NAME}`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new UserLibraryError('name', `the ${kind} name ${JSON.stringify(name)} contains control characters`)
  if (builtins.includes(name)) throw new UserLibraryError('name', `'${name}' is the name of a built-in ${kind}; save yours under another name (built-ins are read-only templates)`)
  return name
}

function parsed<T>(parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof FormatError) throw new UserLibraryError('text', err.message.split('\n')[0]!, err)
    throw err
  }
}

const COLUMNS = 'name, description, created_at AS createdAt, updated_at AS updatedAt'

export class UserLibrary {
  private readonly db: Database.Database

  constructor(private readonly store: TraceStore) {
    this.db = store.connection()
  }

  listProfiles(): UserProfileEntry[] {
    return this.db.prepare(`SELECT ${COLUMNS}, arch FROM user_profiles ORDER BY name`).all() as UserProfileEntry[]
  }

  profileText(name: string): string | undefined {
    return this.db.prepare('SELECT text FROM user_profiles WHERE name = ?').pluck().get(name) as string | undefined
  }

  /** The saved profile, parsed (it was valid when saved; the schema only ever grows). */
  profile(name: string): Profile | undefined {
    const text = this.profileText(name)
    return text === undefined ? undefined : parseProfileText(text, `user profile ${name}`)
  }

  /** Validates `text` as a profile and saves it under the name it carries. Returns the name. */
  saveProfile(text: string, options: SaveOptions = {}): string {
    const profile = parsed(() => parseProfileText(text, options.file ?? 'profile'))
    const name = checkName(profile.name, 'profile', builtinProfileNames())
    this.upsert('user_profiles', { name, description: profile.description ?? '', text, extra: ['arch', profile.arch] }, options)
    return name
  }

  deleteProfile(name: string): boolean {
    this.store.assertWritable()
    return this.db.prepare('DELETE FROM user_profiles WHERE name = ?').run(name).changes > 0
  }

  listScenarios(): UserScenarioEntry[] {
    return this.db.prepare(`SELECT ${COLUMNS}, topic FROM user_scenarios ORDER BY name`).all() as UserScenarioEntry[]
  }

  scenarioText(name: string): string | undefined {
    return this.db.prepare('SELECT text FROM user_scenarios WHERE name = ?').pluck().get(name) as string | undefined
  }

  /** Validates `text` as a scenario and saves it under its `name:`. Returns the name. */
  saveScenario(text: string, options: SaveOptions = {}): string {
    const scenario = parsed(() => parseScenarioText(text, options.file ?? 'scenario'))
    const name = checkName(scenario.name, 'scenario', builtinScenarioNames())
    this.upsert('user_scenarios', { name, description: scenario.description.trim(), text, extra: ['topic', scenarioTopic(scenario.name, scenario)] }, options)
    return name
  }

  deleteScenario(name: string): boolean {
    this.store.assertWritable()
    return this.db.prepare('DELETE FROM user_scenarios WHERE name = ?').run(name).changes > 0
  }

  private upsert(
    table: 'user_profiles' | 'user_scenarios',
    row: { name: string; description: string; text: string; extra: readonly [string, string] },
    options: SaveOptions,
  ): void {
    this.store.assertWritable()
    const kind = table === 'user_profiles' ? 'profile' : 'scenario'
    const [column, value] = row.extra
    const now = new Date().toISOString()
    // One IMMEDIATE transaction: the existence check and the write cannot interleave with another writer.
    this.db
      .transaction(() => {
        const exists = this.db.prepare(`SELECT 1 FROM ${table} WHERE name = ?`).get(row.name) !== undefined
        if (exists && !options.replace) throw new UserLibraryError('name', `a user ${kind} named '${row.name}' exists already; pick another name, or overwrite it`)
        if (exists) {
          this.db.prepare(`UPDATE ${table} SET description = ?, text = ?, ${column} = ?, updated_at = ? WHERE name = ?`).run(row.description, row.text, value, now, row.name)
        } else {
          this.db
            .prepare(`INSERT INTO ${table} (name, description, text, ${column}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
            .run(row.name, row.description, row.text, value, now, now)
        }
      })
      .immediate()
  }
}
