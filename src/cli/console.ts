/**
 * `madblog console`: the tutorial's `flask shell`, Node's REPL (which Bun runs, inside the compiled binary too)
 * with the open database, the Drizzle schema and the services in scope; `await` works at the prompt.
 */
import repl from 'node:repl'
import { and, asc, count, desc, eq, like, or, sql } from 'drizzle-orm'
import type { Config } from '../config'
import * as schema from '../db/schema'
import { createServices } from '../services'
import { openForAdmin, parse } from './command'
import { CLI_CLIENT } from './users'

const BANNER = (path: string) => `madblog console on ${path}
In scope: db (Drizzle), sqlite (bun:sqlite), schema (and users, tokens), services, config, client ('${CLI_CLIENT}'),
and Drizzle's eq, and, or, like, asc, desc, count, sql. For example:
  await services.users.register({ username: 'tom', email: 'tom@163.com', password: '123456' }, client)
  await services.tokens.login('tom', '123456', client)
  db.select().from(users).all()
.help lists the REPL's commands; .exit or Ctrl-D leaves. History is kept for this session only: lines typed here
may hold passwords.`

export async function consoleCommand(config: Config, args: string[]): Promise<number> {
  parse(args, {}, { min: 0, max: 0 })
  const database = openForAdmin(config)
  try {
    const services = createServices(database.db, config)
    console.log(BANNER(config.databasePath))
    const server = repl.start({ prompt: 'madblog> ' })
    Object.assign(server.context, {
      db: database.db,
      sqlite: database.sqlite,
      schema,
      users: schema.users,
      tokens: schema.tokens,
      services,
      config,
      client: CLI_CLIENT,
      ...{ and, asc, count, desc, eq, like, or, sql },
    })
    await new Promise((resolve) => server.on('exit', resolve))
  } finally {
    database.close()
  }
  return 0
}
