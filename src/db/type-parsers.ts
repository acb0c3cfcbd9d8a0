// One set of type parsers for both engines, so a query returns the same JavaScript values on PGlite and on
// PostgreSQL. Counts (int8) and money (numeric) fit comfortably in a double here: limits and counters are
// euros with two decimals, and counts are row counts.
export const INT8_OID = 20;
export const NUMERIC_OID = 1700;
export const DATE_OID = 1082;

export const parseNumber = (value: string): number => Number(value);
/** Dates stay `YYYY-MM-DD` strings: a Date would shift them by the server's time zone. */
export const parseDate = (value: string): string => value;
