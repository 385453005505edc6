/**
 * `madblog console`: the tutorial's `flask shell`, Node's REPL (which Bun runs, inside the compiled binary too)
 * with the open database, the Drizzle schema and the services in scope; `await` works at the prompt. Lines piped
 * in (a script) are run one after another, only their results printed, and any uncaught error makes the exit 1.
 */
import repl from 'node:repl'
import { PassThrough } from 'node:stream'
import { and, asc, count, desc, eq, like, or, sql } from 'drizzle-orm'
import type { Config } from '../config'
import { createServices } from '../services'
import { checkNewUser, checkUserChanges } from '../services/input'
import { parse, withAdminDatabase, type AdminDatabase } from './command'
import { CLI_CLIENT } from './users'

const BANNER = (database: AdminDatabase) => `madblog console on ${database.where}
In scope: db (Drizzle), ${database.engine === 'sqlite' ? 'sqlite (bun:sqlite)' : 'pg (Bun.sql)'}, schema (and users, tokens), services, config, client ('${CLI_CLIENT}'),
checkNewUser and checkUserChanges (the services' input rules), and Drizzle's eq, and, or, like, asc, desc, count,
sql. For example:
  await services.users.register(checkNewUser({ username: 'tom', email: 'tom@163.com', password: '123456' }), client)
  await services.tokens.login({ username: 'tom', password: '123456' }, client)
  ${database.engine === 'sqlite' ? 'db.select().from(users).all()' : 'await db.select().from(users)'}
.help lists the REPL's commands; .exit or Ctrl-D leaves. History is kept for this session only: lines typed here
may hold passwords.`

// Piped input is fed to the REPL one line at a time, each after the REPL has shown its prompt again, which it does
// only once the previous line (an `await` included) has finished; fed all at once, Bun's REPL would run the lines
// concurrently and quit at the end of input before the last await settles. The marker tells those prompts apart.
const PIPED_PROMPT = '\u0001madblog-ready\u0001'
const CONTINUATION_PROMPT = '| '

/** Lines from stdin, evaluated in order; results and errors go to stdout; true if none raised. */
async function evaluatePiped(context: object): Promise<boolean> {
  const input = new PassThrough()
  const output = new PassThrough()
  let ready = Promise.withResolvers<void>()
  let clean = true
  output.on('data', (chunk: Buffer) => {
    const text = chunk.toString()
    if (text === PIPED_PROMPT || text === CONTINUATION_PROMPT) return ready.resolve()
    if (text.startsWith('Uncaught')) clean = false
    process.stdout.write(text)
  })
  const server = repl.start({ prompt: PIPED_PROMPT, input, output, terminal: false })
  Object.assign(server.context, context)
  await ready.promise
  for await (const line of console) {
    ready = Promise.withResolvers<void>()
    input.write(`${line}\n`)
    await ready.promise
  }
  server.close()
  return clean
}

/** The REPL on the terminal: line editing, multi-line input, this session's history, completion. */
async function interactive(context: object) {
  const server = repl.start({ prompt: 'madblog> ' })
  Object.assign(server.context, context)
  await new Promise((resolve) => server.on('exit', resolve))
}

export async function consoleCommand(config: Config, args: string[]): Promise<number> {
  parse(args, {}, { min: 0, max: 0 })
  return withAdminDatabase(config, async (database) => {
    const schema = database.scope.schema as typeof import('../db/schema')
    const context = {
      ...database.scope,
      users: schema.users,
      tokens: schema.tokens,
      services: createServices(database.store, config),
      config,
      client: CLI_CLIENT,
      checkNewUser,
      checkUserChanges,
      ...{ and, asc, count, desc, eq, like, or, sql },
    }
    if (!process.stdin.isTTY) return (await evaluatePiped(context)) ? 0 : 1
    console.log(BANNER(database))
    await interactive(context)
    return 0
  })
}
