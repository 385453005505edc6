import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cpuSeconds } from './processes'

export interface WrkReport {
  requests: number
  duration_us: number
  errors: { connect: number; read: number; write: number; status: number; timeout: number }
  latency_us: { p50: number; p90: number; p99: number; max: number; mean: number }
  /** Answers by HTTP status, when the load asked for them (`statuses`). */
  statuses?: Record<string, number>
  /** CPU time the server spent over the run divided by the requests answered, when its pid was given. */
  cpu_us_per_request?: number
}

export interface Load {
  url: string
  /** A Lua file in bench/lua/ (report.lua is appended), and the args it reads. */
  script: string
  args?: string[]
  headers?: Record<string, string>
  connections: number
  seconds: number
  timeoutSeconds?: number
  /** Count answers by status (bench/lua/statuses.lua): a Lua response() hook, so it costs wrk some speed. */
  statuses?: boolean
}

const LUA = join(import.meta.dir, 'lua')
const REPORT = readFileSync(join(LUA, 'report.lua'), 'utf8')
const STATUSES = readFileSync(join(LUA, 'statuses.lua'), 'utf8')
let scripts = 0

/** `taskset -c <cpus>` in front of a command when pinning was asked for and is possible. */
export const pinned = (cpus: string | undefined, command: string[]) => (cpus ? ['taskset', '-c', cpus, ...command] : command)

/**
 * One wrk run with a single thread (it has one core of its own); throws when wrk fails or reports nothing.
 * With `serverPid`, the report also says how much CPU that server spent per request answered.
 */
export async function runWrk(load: Load, cpus: string | undefined, scratch: string, serverPid?: number): Promise<WrkReport> {
  // A file per run: runs may go side by side (bench/soak.ts), and wrk reads its script only once started.
  const script = join(scratch, `${load.script}.${++scripts}.lua`)
  const parts = [readFileSync(join(LUA, load.script + '.lua'), 'utf8'), ...(load.statuses ? [STATUSES] : []), REPORT]
  await Bun.write(script, parts.join('\n'))
  const command = pinned(cpus, [
    'wrk',
    '-t1',
    `-c${load.connections}`,
    `-d${load.seconds}s`,
    `--timeout`,
    `${load.timeoutSeconds ?? 2}s`,
    '-s',
    script,
    ...Object.entries(load.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    load.url,
    ...(load.args?.length ? ['--', ...load.args] : []),
  ])
  const cpuBefore = serverPid === undefined ? 0 : cpuSeconds(serverPid)
  const child = Bun.spawn(command, { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  const cpuSpent = serverPid === undefined ? 0 : cpuSeconds(serverPid) - cpuBefore
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '))
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${err || out}`)
  const report = JSON.parse(line.slice('WRK_JSON '.length)) as WrkReport
  if (serverPid !== undefined && report.requests > 0) report.cpu_us_per_request = (cpuSpent * 1e6) / report.requests
  return report
}

/** One request by hand first: a workload answering errors (a 401, a GraphQL `errors`) would measure nothing. */
export async function check(url: string, load: Omit<Load, 'url'>) {
  const [method = 'GET', body] = load.args ?? []
  const headers = { ...load.headers, ...(body ? { 'content-type': 'application/json' } : {}) }
  const response = await fetch(url, { method, headers, body })
  const text = await response.text()
  if (!response.ok || text.includes('"errors"')) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`)
}

export const requestsPerSecond = (report: WrkReport) => report.requests / (report.duration_us / 1e6)
export const failures = (report: WrkReport) =>
  report.errors.connect + report.errors.read + report.errors.write + report.errors.status + report.errors.timeout

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export interface Summary {
  rps: number
  p50_ms: number
  p99_ms: number
  failures: number
  /** Answers by status over all rounds, when the load counted them. */
  statuses?: Record<string, number>
  /** Median over the rounds of the server's CPU µs per request, when it was measured. */
  cpu_us_per_request?: number
  rounds: { rps: number; p50_ms: number; p99_ms: number; cpu_us_per_request?: number }[]
}

/** Medians over the rounds; failures are summed, so a single non-2xx answer anywhere shows. */
export function summarize(reports: WrkReport[]): Summary {
  const rounds = reports.map((report) => ({
    rps: requestsPerSecond(report),
    p50_ms: report.latency_us.p50 / 1000,
    p99_ms: report.latency_us.p99 / 1000,
    ...(report.cpu_us_per_request === undefined ? {} : { cpu_us_per_request: report.cpu_us_per_request }),
  }))
  const cpu = rounds.flatMap((round) => (round.cpu_us_per_request === undefined ? [] : [round.cpu_us_per_request]))
  const counted = reports.filter((report) => report.statuses)
  const statuses: Record<string, number> = {}
  for (const report of counted) for (const [status, n] of Object.entries(report.statuses!)) statuses[status] = (statuses[status] ?? 0) + n
  return {
    rps: median(rounds.map((round) => round.rps)),
    p50_ms: median(rounds.map((round) => round.p50_ms)),
    p99_ms: median(rounds.map((round) => round.p99_ms)),
    failures: reports.reduce((sum, report) => sum + failures(report), 0),
    ...(counted.length ? { statuses } : {}),
    ...(cpu.length ? { cpu_us_per_request: median(cpu) } : {}),
    rounds,
  }
}
