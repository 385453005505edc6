export const PAGE_DEFAULTS = { page: 1, perPage: 10, maxPerPage: 100 } as const

export interface PageRequest {
  page: number
  perPage: number
}

function positiveInteger(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text)) return undefined
  const parsed = Number(text)
  return parsed >= 1 ? parsed : undefined
}

/** Nonsense falls back to the defaults, as Flask's `request.args.get(..., type=int)` did; per_page is capped. */
export function pageRequest(page: unknown, perPage: unknown): PageRequest {
  return {
    page: positiveInteger(page) ?? PAGE_DEFAULTS.page,
    perPage: Math.min(positiveInteger(perPage) ?? PAGE_DEFAULTS.perPage, PAGE_DEFAULTS.maxPerPage),
  }
}

export interface PageMeta {
  page: number
  perPage: number
  totalPages: number
  totalItems: number
  hasNext: boolean
  hasPrev: boolean
}

export function pageMeta({ page, perPage }: PageRequest, totalItems: number): PageMeta {
  const totalPages = Math.ceil(totalItems / perPage)
  return { page, perPage, totalPages, totalItems, hasNext: page < totalPages, hasPrev: page > 1 }
}
