// The one definition of an id: the bare 8-4-4-4-12 form PostgreSQL's uuid type takes. Anything else (a
// `urn:uuid:` prefix, braces, a wrong length) is checked here before it can reach SQL as a 500.
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);
