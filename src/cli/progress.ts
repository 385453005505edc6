import { writeSync } from 'node:fs'

export interface Progress {
  /** `done` of the total so far; redraws the line at most ten times a second. */
  update(done: number): void
  /** Clears the line, so that the summary the command prints next stands alone. */
  finish(): void
}

const REDRAW_MS = 100

const duration = (seconds: number) =>
  seconds < 60 ? `${Math.ceil(seconds)} s` : `${Math.floor(seconds / 60)} min ${String(Math.ceil(seconds % 60)).padStart(2, '0')} s`

/**
 * One updating line on a terminal (`label: 1200/5000 rows (24%), 800 rows/s, 5 s left`), and nothing at all when
 * stdout is not a terminal or the command was given --quiet. Written synchronously: the work it reports on (a
 * migration, a transaction of inserts) holds the thread, so an asynchronous write would only appear at the end.
 */
export function progress(label: string, total: number, unit: string, quiet = false): Progress {
  if (quiet || !process.stdout.isTTY || total <= 0) return { update() {}, finish() {} }
  const started = performance.now()
  let drawn = -Infinity
  let shown = false
  return {
    update(done) {
      const now = performance.now()
      if (now - drawn < REDRAW_MS && done < total) return
      drawn = now
      shown = true
      const seconds = (now - started) / 1000
      const rate = seconds > 0 ? done / seconds : 0
      const left = rate > 0 ? `, ${duration((total - done) / rate)} left` : ''
      const percent = Math.floor((done / total) * 100)
      writeSync(1, `\r\x1b[K${label}: ${done}/${total} ${unit} (${percent}%), ${Math.round(rate)} ${unit}/s${left}`)
    },
    finish() {
      if (shown) writeSync(1, '\r\x1b[K')
      shown = false
    },
  }
}
