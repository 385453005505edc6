import { afterAll, beforeAll, expect, test } from 'bun:test'
import { readme } from './readme'
import { scratchDir, startServer, type Running } from './process/server'

/** One `$ ...` line of the README's session and what the README shows after it. */
interface Step {
  command: string
  status?: number
  headers: [string, string][]
  body?: string
}

/** The fenced block under "The tutorial's session", as steps. */
function sessionSteps(): Step[] {
  const section = readme.slice(readme.indexOf("## The tutorial's session"))
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!
  const steps: Step[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), headers: [] })
    else if (!line.trim()) continue
    else {
      const step = steps.at(-1)!
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(line)
      const header = /^([A-Za-z-]+): (.*)$/.exec(line)
      if (status) step.status = Number(status[1])
      else if (header && step.body === undefined) step.headers.push([header[1]!, header[2]!])
      else step.body = `${step.body ?? ''}${line}\n`
    }
  }
  return steps
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

/** What an answer must look like: whatever token, expiry and times the server issues, the README's are examples. */
function expectedBody(shown: string): unknown {
  const value = JSON.parse(shown)
  if (typeof value === 'object' && value && 'token' in value)
    return { ...value, token: expect.stringMatching(TOKEN), expires_at: expect.stringMatching(TIME) }
  return anyTimes(value)
}

/** A user's member_since and last_seen are whenever the replay ran: any time, where the README shows one. */
function anyTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(anyTimes)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, TIMES.has(key) ? expect.stringMatching(TIME) : anyTimes(inner)]),
  )
}
const TIMES = new Set(['member_since', 'last_seen'])

const scratch = scratchDir()
let server: Running
beforeAll(async () => {
  server = await startServer(`${scratch.dir}/readme.db`)
}, 30_000)
afterAll(async () => {
  server?.process.kill('SIGTERM')
  await server?.process.exited
  scratch.remove()
})

test('the README session, replayed with HTTPie against a real server, answers exactly as shown', async () => {
  const steps = sessionSteps()
  expect(steps.length).toBeGreaterThanOrEqual(10)
  let token = ''
  let lastToken = ''
  for (const step of steps) {
    const assignment = /^TOKEN=(\S+)$/.exec(step.command)
    if (assignment) {
      // The README pastes the token of the login just above; the replay uses the one the server issued.
      token = lastToken
      expect(token).toMatch(TOKEN)
      continue
    }
    expect(step.command, 'every command is an HTTPie call').toStartWith('http --ignore-stdin ')
    expect(step.status, `${step.command} shows its status`).toBeNumber()
    // As typed, with the server's port; --print=hb shows the status line and headers HTTPie prints on a terminal.
    const command = step.command.replaceAll(':5000', `:${server.port}`).replace('http --ignore-stdin', 'http --ignore-stdin --print=hb')
    const run = Bun.spawn(['bash', '-c', command], { env: { ...process.env, TOKEN: token }, stdout: 'pipe', stderr: 'pipe' })
    const [out, err] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text()])
    expect(await run.exited, `${command}: ${err}`).toBe(0)
    const [head = '', body = ''] = out.split(/\r?\n\r?\n/, 2)
    const [statusLine = '', ...headerLines] = head.split(/\r?\n/)
    const label = `${step.command}\n${out}`
    expect(Number(statusLine.split(' ')[1]), label).toBe(step.status!)
    const headers = new Headers(headerLines.map((line) => line.split(/: (.*)/s, 2) as [string, string]))
    for (const [name, value] of step.headers) expect(headers.get(name), label).toBe(value)
    if (step.body === undefined) expect(body.trim(), label).toBe('')
    else expect(JSON.parse(body), label).toEqual(expectedBody(step.body))
    if (body.trim() && JSON.parse(body).token) lastToken = JSON.parse(body).token
  }
}, 60_000)
