/**
 * What of an unexpected database error goes to a log. PostgreSQL puts the offending row in `detail` ("Failing
 * row contains (…)"), PGlite's errors can carry the statement's parameters, and a card row holds the PAN and
 * CVV, which must never reach a log: keep the message, the SQLSTATE, the constraint and the stack, nothing
 * row- or parameter-shaped.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const e = error as Error & { code?: string; constraint?: string; table?: string; column?: string };
  return { type: e.name, message: e.message, code: e.code, constraint: e.constraint, table: e.table, column: e.column, stack: e.stack };
}
