import type { Config } from '../config'
import { UsageError } from './command'

/** `madblog transfer --from <DATABASE_URL> --to <DATABASE_URL>`: src/db/transfer.ts, with its progress on a terminal. */
export async function transferCommand(_config: Config, args: string[]): Promise<number> {
  const value = (flag: string) => {
    const at = args.indexOf(flag)
    const found = at === -1 ? undefined : args[at + 1]
    return found && !found.startsWith('--') ? found : undefined
  }
  const from = value('--from')
  const to = value('--to')
  if (args.length !== 4 || !from || !to) throw new UsageError('needs --from <DATABASE_URL> --to <DATABASE_URL>')
  // Loaded only here: the PostgreSQL driver comes with it.
  const { describeProgress, transfer } = await import('../db/transfer')
  // On a terminal, one line redrawn as rows are copied; in a log, only the result.
  const show = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r\x1b[2K${line}`) : () => {}
  const totals = await transfer(from, to, (state) => show(describeProgress(state)))
  show('')
  console.log(`copied ${totals.users} users, ${totals.tokens} tokens and ${totals.posts} posts; counts checked`)
  return 0
}
