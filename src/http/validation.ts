import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { UUID_PATTERN } from '../domain/uuid.ts';

// Two validators. Query strings, path parameters and headers arrive as text, so their values are coerced
// (`per_page=5` → 5, a lone `statuses[]=live` → ["live"]). JSON bodies are typed already: a body that sends
// "42" where Qonto takes 42 is a client bug to report (400 naming the field), not to paper over.
// Unknown body fields are rejected (CONTRACT.md), so nothing is silently removed either.

const common: Options = { removeAdditional: false, useDefaults: true, allErrors: true, strict: false };
// ajv-formats' CommonJS typings do not line up under NodeNext resolution.
const withFormats = ((addFormats as unknown as { default?: unknown }).default ?? addFormats) as (ajv: Ajv) => Ajv;

// ajv-formats' uuid also takes a `urn:uuid:` prefix, which PostgreSQL's uuid type refuses: such an id passed
// validation and failed in SQL as a 500. Ids here are the bare 8-4-4-4-12 form.
const withStrictFormats = (ajv: Ajv): Ajv => withFormats(ajv).addFormat('uuid', UUID_PATTERN);

const textAjv = withStrictFormats(new Ajv({ ...common, coerceTypes: 'array' }));
const bodyAjv = withStrictFormats(new Ajv({ ...common, coerceTypes: false }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
