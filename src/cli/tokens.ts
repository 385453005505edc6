/** `madblog tokens revoke <username>` and `madblog tokens prune`. */
import type { Config } from '../config'
import { createServices } from '../services'
import { UsageError, parse, withAdminDatabase } from './command'
import { findUser } from './users'

export async function tokensCommand(config: Config, args: string[]): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand === 'revoke') {
    const { positionals } = parse(rest, {}, { min: 1, max: 1 })
    await withAdminDatabase(config, async (database) => {
      const services = createServices(database.store, config)
      const user = await findUser(services, positionals[0]!)
      const revoked = await services.tokens.revokeAll(user.id)
      console.log(`revoked ${revoked} token(s) of ${user.username} (id ${user.id}): every session of theirs is ended`)
    })
    return 0
  }
  if (subcommand === 'prune') {
    parse(rest, {}, { min: 0, max: 0 })
    await withAdminDatabase(config, async (database) => {
      const pruned = await createServices(database.store, config).tokens.pruneExpired()
      console.log(`pruned ${pruned} expired token(s)`)
    })
    return 0
  }
  throw new UsageError(subcommand === undefined ? 'tokens needs a subcommand' : `unknown tokens subcommand "${subcommand}"`)
}
