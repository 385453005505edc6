import type { Subprocess } from 'bun'
import { readFileSync } from 'node:fs'

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const { port } = probe
  probe.stop(true)
  return port
}

/** Resident memory of a process in MiB (VmRSS / 1024), from /proc (Linux). */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return kb ? Number(kb) / 1024 : NaN
}

// Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ); 100 on every Linux we run on.
const CLOCK_TICKS = Number(Bun.spawnSync(['getconf', 'CLK_TCK']).stdout.toString().trim()) || 100

/**
 * CPU seconds a process has spent so far, user plus system (utime + stime, fields 14 and 15 of /proc/<pid>/stat).
 * Unlike req/s, which swings up to 3x with the neighbours' load, CPU per request stays within about 20%.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/** The highest RSS seen while `work` runs, sampled every 100 ms. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peakMb = rssMb(pid)
  const timer = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pid))), 100)
  try {
    const result = await work()
    return { result, peakMb: Math.max(peakMb, rssMb(pid)) }
  } finally {
    clearInterval(timer)
  }
}

export interface Started {
  process: Subprocess<'ignore', 'ignore', 'inherit'>
  /** From spawn to the first 200 on `readyPath`. */
  firstAnswerMs: number
}

/** Spawns a server (its stderr goes to ours) and polls `url` until it answers. */
export async function startServer(command: string[], env: Record<string, string>, url: string): Promise<Started> {
  const started = performance.now()
  const child = Bun.spawn(command, { env: { ...process.env, ...env }, stdin: 'ignore', stdout: 'ignore', stderr: 'inherit' })
  while (performance.now() - started < 15_000) {
    if (child.exitCode !== null) break
    try {
      const response = await fetch(url)
      if (response.ok) return { process: child, firstAnswerMs: performance.now() - started }
    } catch {}
    await Bun.sleep(2)
  }
  child.kill()
  throw new Error(`${command.join(' ')} did not answer ${url} within 15 s (its own output, if any, is above)`)
}
