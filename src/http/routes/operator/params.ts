import { Type } from 'typebox';
import { notFound } from '../../../domain/errors.ts';
import { isUuid } from '../../../domain/uuid.ts';

// Path ids are plain strings in the schema so that a malformed id is a 404 like an unknown one (and never
// reaches Postgres as an invalid uuid, which would be a 500).

export const idParam = <K extends string>(name: K) => Type.Object({ [name]: Type.String({ description: 'uuid' }) } as Record<K, ReturnType<typeof Type.String>>);

export function checkId(value: string, what: string, parameter: string): string {
  if (!isUuid(value)) throw notFound(what, parameter);
  return value.toLowerCase();
}
