// Connection failures (Bun's ERR_POSTGRES_CONNECTION_*, ERR_POSTGRES_IDLE_TIMEOUT, ...) and the server's own
// SQLSTATEs for "not now": connection exceptions (08), shutting down or starting (57P01-57P03), too many
// connections (53300), a statement cut by statement_timeout (57014), a failover's read-only standby (25006), and a
// transaction PostgreSQL chose to abort (deadlock 40P01, serialization 40001): worth retrying, never a 500.
const UNAVAILABLE_CODES = /^ERR_POSTGRES_(CONNECTION|IDLE_TIMEOUT|LIFETIME_TIMEOUT|TLS|UNSUPPORTED_AUTH)|^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT)$/
const UNAVAILABLE_STATES = /^(08|57P0[123]$|53300$|57014$|25006$|40P01$|40001$)/

/** No answer within PG_QUERY_TIMEOUT_SECONDS (src/db/pg/client.ts): the connection was dropped, the request is 503. */
export class PostgresTimeoutError extends Error {}

/** PostgreSQL cannot be reached or cannot take this now: both faces answer 503 with Retry-After, never 500. */
export function isPostgresUnavailable(error: unknown): boolean {
  for (let inner = error, depth = 0; inner instanceof Error && depth < 4; inner = inner.cause, depth++) {
    if (inner instanceof PostgresTimeoutError) return true
    const { code, errno } = inner as { code?: unknown; errno?: unknown }
    if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) return true
    if (typeof errno === 'string' && UNAVAILABLE_STATES.test(errno)) return true
  }
  return false
}
