import { GraphQLError, GraphQLScalarType, Kind } from 'graphql'

const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/

function parse(value: unknown): Date {
  const date = typeof value === 'string' && ISO_8601.test(value) ? new Date(value) : undefined
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 date and time with an offset.')
  return date
}

/**
 * An instant, sent as ISO-8601 in UTC (`2026-11-25T13:00:19.153Z`), as REST's `expires_at`. Resolvers may hand it
 * the store's epoch milliseconds as they are: no resolver per timestamp field, twenty of them on a page.
 */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant as an ISO-8601 string in UTC, e.g. 2026-11-25T13:00:19.153Z.',
  specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time',
  serialize: (value) => (value instanceof Date ? value : typeof value === 'number' ? new Date(value) : parse(value)).toISOString(),
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
})
