import type { Config } from '../config'
import type { Db } from '../db/client'
import { createPasswordHasher } from './passwords'
import { createTokenService } from './tokens'
import { createUserService } from './users'

/** The one service layer both transports call; neither REST nor GraphQL touches the database. */
export function createServices(db: Db, config: Config) {
  const passwords = createPasswordHasher(config.passwordHashing)
  return {
    users: createUserService(db, passwords),
    tokens: createTokenService(db, passwords, config.tokenTtlSeconds),
  }
}

export type Services = ReturnType<typeof createServices>
