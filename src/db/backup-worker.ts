/** VACUUM INTO on a thread of its own, so that the backup command's progress line keeps drawing meanwhile. */
import { Database } from 'bun:sqlite'

declare const self: Worker

self.onmessage = ({ data }: MessageEvent<{ source: string; temporary: string }>) => {
  try {
    const live = new Database(data.source, { readwrite: true, create: false, strict: true })
    try {
      live.run('PRAGMA busy_timeout = 5000')
      live.run('VACUUM INTO ?', [data.temporary])
    } finally {
      live.close()
    }
    postMessage({})
  } catch (error) {
    postMessage({ error: (error as Error).message })
  }
}
