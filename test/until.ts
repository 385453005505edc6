import { expect } from 'bun:test'

/** Lets queued callbacks run until `condition` holds: a bounded number of turns (enough for PostgreSQL round trips), no clock involved. */
export async function until(condition: () => boolean | Promise<boolean>) {
  for (let turn = 0; turn < 200_000 && !(await condition()); turn++) await Bun.sleep(0)
  expect(await condition()).toBe(true)
}
