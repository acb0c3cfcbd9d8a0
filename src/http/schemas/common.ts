import { Type } from 'typebox';

// Schemas shared by every route group. Error bodies are built in src/http/errors.ts; this schema documents
// them and, being open (additionalProperties), never strips what that code adds: `status`/`message` on 422
// items, SCA's `message` and `sca_session_token`.

/** Qonto's pagination `meta` (built by src/domain/page-meta.ts). */
export const PageMeta = Type.Object({
  current_page: Type.Integer(),
  next_page: Type.Union([Type.Integer(), Type.Null()]),
  prev_page: Type.Union([Type.Integer(), Type.Null()]),
  total_pages: Type.Integer(),
  total_count: Type.Integer(),
  per_page: Type.Integer(),
});

/** Qonto's error body: `{"errors":[{code, detail, source?}], "trace_id"}`. */
export const ErrorBody = Type.Object(
  {
    errors: Type.Array(
      Type.Object(
        {
          code: Type.String(),
          detail: Type.String(),
          source: Type.Optional(Type.Object({}, { additionalProperties: true })),
        },
        { additionalProperties: true },
      ),
    ),
    trace_id: Type.String(),
  },
  { additionalProperties: true, description: 'Qonto error body' },
);
