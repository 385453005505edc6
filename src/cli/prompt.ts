/** Questions an admin command asks on the terminal: a password without echo, a yes or no. */
import { CommandError } from './command'

/** A line typed on the terminal, shown as typed (`echo`) or not at all; Ctrl-C or Ctrl-D cancels. */
function readLine(question: string, echo: boolean): Promise<string> {
  const stdin = process.stdin
  // Raw before the question shows: an answer typed the moment it appears must not be echoed by the terminal.
  stdin.setRawMode(true)
  process.stderr.write(question)
  stdin.setEncoding('utf8')
  stdin.resume()
  return new Promise((resolve, reject) => {
    let typed: string[] = []
    const end = (outcome: () => void) => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
      outcome()
    }
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return end(() => resolve(typed.join('')))
        if (char === '\u0003' || char === '\u0004') return end(() => reject(new CommandError('cancelled')))
        if (char === '\u007f' || char === '\b') {
          if (typed.length > 0 && echo) process.stderr.write('\b \b')
          typed = typed.slice(0, -1)
        } else if (char >= ' ') {
          typed.push(char)
          if (echo) process.stderr.write(char)
        }
      }
    }
    stdin.on('data', onData)
  })
}

/**
 * The new password: all of stdin with `--password-stdin` (one trailing newline dropped, as `echo` adds it), else
 * typed twice without echo on the terminal.
 */
export async function newPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) return (await Bun.stdin.text()).replace(/\r?\n$/, '')
  if (!process.stdin.isTTY) throw new CommandError('no terminal to ask for the password on: pipe it in with --password-stdin')
  const password = await readLine('New password: ', false)
  if ((await readLine('Repeat it: ', false)) !== password) throw new CommandError('the two passwords differ; nothing was changed')
  return password
}

/** True for y or yes typed on the terminal; without a terminal there is nobody to ask, and `--yes` is needed. */
export async function confirm(question: string, assumeYes: boolean | undefined): Promise<boolean> {
  if (assumeYes) return true
  if (!process.stdin.isTTY) throw new CommandError(`${question.replace(/\?.*$/, '')}: there is no terminal to confirm on; pass --yes`)
  return /^y(es)?$/i.test((await readLine(`${question} `, true)).trim())
}
