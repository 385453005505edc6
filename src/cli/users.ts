/** `madblog users list|show|create|set-password|delete`: accounts, through the same services as the API. */
import type { Config } from '../config'
import { createServices, type Services } from '../services'
import { checkNewUser } from '../services/input'
import type { User } from '../services/users'
import { CommandError, UsageError, parse, printJson, service, table, withAdminDatabase } from './command'
import { confirm, newPassword } from './prompt'

const PER_PAGE = 20
// The rate limits key on a client address; a command typed by the operator has none.
export const CLI_CLIENT = 'cli'

/** A user named by id (all digits) or by username, under the identity rule. */
export function findUser(services: Services, reference: string): Promise<User> {
  return service(() => (/^\d+$/.test(reference) ? services.users.get(Number(reference)) : services.users.getByUsername(reference)), reference)
}

const describe = (user: User) => `${user.username} (id ${user.id})`
/** An account as the commands print it: who it is, not the profile the API shows. */
const account = ({ id, username, email }: User) => ({ id, username, email })

async function list(services: Services, args: string[]) {
  const { values } = parse(args, { page: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0 })
  const page = values.page === undefined ? 1 : Number(values.page)
  if (!/^\d{1,9}$/.test(values.page ?? '1') || page < 1) throw new CommandError(`--page must be a whole number from 1, got "${values.page}"`)
  const { items, meta } = await services.users.list({ page, perPage: PER_PAGE })
  if (values.json) return printJson({ items: items.map(account), meta })
  if (items.length > 0) console.log(table(items as unknown as Record<string, unknown>[], ['id', 'username', 'email']))
  console.log(`page ${meta.page} of ${Math.max(meta.totalPages, 1)}, ${meta.totalItems} users${meta.hasNext ? ` (next: --page ${meta.page + 1})` : ''}`)
}

async function show(services: Services, args: string[]) {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, { min: 1, max: 1 })
  const user = await findUser(services, positionals[0]!)
  if (values.json) return printJson(account(user))
  console.log(`id        ${user.id}\nusername  ${user.username}\nemail     ${user.email}`)
}

async function create(services: Services, args: string[]) {
  const { values, positionals } = parse(args, { 'password-stdin': { type: 'boolean' }, json: { type: 'boolean' } }, { min: 2, max: 2 })
  const [username, email] = positionals as [string, string]
  const password = await newPassword(values['password-stdin'])
  const user = await service(() => services.users.register(checkNewUser({ username, email, password }), CLI_CLIENT))
  if (values.json) return printJson(account(user))
  console.log(`created user ${describe(user)}`)
}

async function setPassword(services: Services, args: string[]) {
  const { values, positionals } = parse(args, { 'password-stdin': { type: 'boolean' } }, { min: 1, max: 1 })
  const user = await findUser(services, positionals[0]!)
  const password = await newPassword(values['password-stdin'])
  await service(() => services.users.setPassword(user.id, password))
  console.log(`changed the password of ${describe(user)}; their sessions are ended`)
}

async function remove(services: Services, args: string[]) {
  const { values, positionals } = parse(args, { yes: { type: 'boolean' } }, { min: 1, max: 1 })
  const user = await findUser(services, positionals[0]!)
  if (!(await confirm(`Delete user ${describe(user)} and their sessions? [y/N]`, values.yes))) {
    console.log('nothing deleted')
    return
  }
  // The service lets only the user themself delete a record: the operator acts as that user.
  await service(() => services.users.remove(user, user.id))
  console.log(`deleted user ${describe(user)} and their sessions`)
}

const SUBCOMMANDS: Record<string, (services: Services, args: string[]) => Promise<void>> = {
  list,
  show,
  create,
  'set-password': setPassword,
  delete: remove,
}

export async function usersCommand(config: Config, args: string[]): Promise<number> {
  const [subcommand, ...rest] = args
  const run = subcommand === undefined ? undefined : SUBCOMMANDS[subcommand]
  if (!run) throw new UsageError(subcommand === undefined ? 'users needs a subcommand' : `unknown users subcommand "${subcommand}"`)
  await withAdminDatabase(config, (database) => run(createServices(database.store, config), rest))
  return 0
}
