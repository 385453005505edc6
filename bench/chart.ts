/**
 * The bench's results drawn as one SVG (bench/results/latest.svg, shown in the README), no dependency: CPU µs per
 * request of each read workload with madblog beside its baseline, and, after a `--users N` run, each list shape
 * at 1,000 users and at N with the 1.5× line its cost at N must stay under.
 */
import type { Growth } from './growth'
import { GROWTH_LABELS, LIST_SHAPES } from './growth'
import type { Summary } from './wrk'

export interface ChartInput {
  reads: Record<string, { madblog: Summary; floor?: Summary; rest?: Summary }>
  /** Each read workload's name, by its key in `reads`. */
  labels: Record<string, string>
  growth?: Growth
}

const WIDTH = 960
const LABEL_WIDTH = 300
const BAR_HEIGHT = 14
const COLORS = { madblog: '#2f6fb3', baseline: '#b0b7c0', small: '#9cc3e6', large: '#2f6fb3', target: '#c0392b' }

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const text = (x: number, y: number, content: string, attributes = '') =>
  `<text x="${x}" y="${y}" ${attributes}>${escape(content)}</text>`

/** Bars for rows of named values on one linear scale; returns the SVG and the height it took from `top`. */
function panel(
  top: number,
  title: string,
  rows: { label: string; bars: { value: number; color: string; note: string }[]; mark?: number }[],
  legend: [string, string][],
) {
  const plotWidth = WIDTH - LABEL_WIDTH - 180
  const max = Math.max(...rows.flatMap((row) => [...row.bars.map((bar) => bar.value), row.mark ?? 0])) || 1
  const x = (value: number) => LABEL_WIDTH + (value / max) * plotWidth
  const parts = [text(10, top + 16, title, 'font-weight="bold" font-size="14"')]
  legend.forEach(([name, color], index) => {
    const left = LABEL_WIDTH + index * 190
    parts.push(`<rect x="${left}" y="${top + 26}" width="12" height="12" fill="${color}"/>`, text(left + 18, top + 36, name))
  })
  let y = top + 50
  for (const row of rows) {
    parts.push(text(LABEL_WIDTH - 8, y + BAR_HEIGHT * (row.bars.length / 2) + 4, row.label, 'text-anchor="end"'))
    // Notes start past the bars and the mark alike, so the dashed line never crosses them.
    const notesAt = Math.max(...row.bars.map((bar) => x(bar.value)), row.mark === undefined ? 0 : x(row.mark)) + 6
    for (const bar of row.bars) {
      const width = Math.max(1, x(bar.value) - LABEL_WIDTH)
      parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT - 2}" fill="${bar.color}"/>`)
      parts.push(text(notesAt, y + BAR_HEIGHT - 3, bar.note, 'font-size="11"'))
      y += BAR_HEIGHT
    }
    if (row.mark !== undefined) {
      const at = x(row.mark).toFixed(1)
      const from = y - BAR_HEIGHT * row.bars.length - 2
      parts.push(`<line x1="${at}" y1="${from}" x2="${at}" y2="${y}" stroke="${COLORS.target}" stroke-width="2" stroke-dasharray="3,2"/>`)
    }
    y += 8
  }
  return { svg: parts.join('\n'), height: y - top + 10 }
}

export function chartSvg({ reads, labels, growth }: ChartInput): string {
  const us = (summary: Summary | undefined) => summary?.cpu_us_per_request ?? 0
  const note = (summary: Summary | undefined, side: string) => `${us(summary).toFixed(0)} µs ${side}`
  const first = panel(
    0,
    'CPU µs per request (lower is better): madblog beside the floor doing the same work (GraphQL: beside the REST read)',
    Object.entries(reads).map(([key, { madblog, floor, rest }]) => ({
      label: labels[key] ?? key,
      bars: [
        { value: us(madblog), color: COLORS.madblog, note: note(madblog, 'madblog') },
        ...(floor || rest ? [{ value: us(floor ?? rest), color: COLORS.baseline, note: note(floor ?? rest, floor ? 'floor' : 'REST read') }] : []),
      ],
    })),
    [['madblog', COLORS.madblog], ['floor / REST read', COLORS.baseline]],
  )
  const panels = [first]
  if (growth && growth.sizes.length > 1) {
    const small = growth.sizes[0]!
    const large = growth.sizes.at(-1)!
    const count = (users: number) => `${users.toLocaleString('en')} users`
    panels.push(
      panel(
        0,
        `Each list shape as the table grows (${growth.connections} connections): CPU µs per request; dashed, 1.5× its cost at ${count(small.users)}`,
        LIST_SHAPES.map((key) => {
          const [at, grown] = [small, large].map((size) => size.workloads[key])
          return {
            label: GROWTH_LABELS[key],
            bars: [
              { value: us(at), color: COLORS.small, note: note(at, `at ${count(small.users)}`) },
              { value: us(grown), color: COLORS.large, note: `${note(grown, `at ${count(large.users)}`)} (${(us(grown) / us(at)).toFixed(2)}×)` },
            ],
            mark: 1.5 * us(at),
          }
        }),
        [[count(small.users), COLORS.small], [count(large.users), COLORS.large], [`1.5× the cost at ${count(small.users)}`, COLORS.target]],
      ),
    )
  }
  const height = panels.reduce((sum, { height }) => sum + height, 0)
  let offset = 0
  // Each panel is drawn from y = 0 and shifted below the one before.
  const body = panels.map(({ svg, height: taken }) => {
    const group = `<g transform="translate(0,${offset})">\n${svg}\n</g>`
    offset += taken
    return group
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n')
}
