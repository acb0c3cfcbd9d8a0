// The one error type of qcards. Services and the domain throw it; src/http/errors.ts turns it into Qonto's
// error body. `source` names what was wrong: a query or path `parameter`, or a JSON `pointer` into the body.

export type ErrorSource = { parameter: string } | { pointer: string };

export interface ErrorItem {
  code: string;
  detail: string;
  source?: ErrorSource;
}

export class ApiError extends Error {
  readonly status: number;
  readonly items: ErrorItem[];
  /** Extra top-level keys of the body (SCA's `sca_session_token`, for example). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(status: number, items: ErrorItem | ErrorItem[], extra?: Record<string, unknown>) {
    const list = Array.isArray(items) ? items : [items];
    super(list.map((i) => i.detail).join('; '));
    this.status = status;
    this.items = list;
    this.extra = extra;
  }
}

export const badParameter = (parameter: string, code: string, detail: string): ApiError =>
  new ApiError(400, { code, detail, source: { parameter } });

export const badField = (pointer: string, code: string, detail: string): ApiError =>
  new ApiError(400, { code, detail, source: { pointer } });

/** Unknown, foreign and malformed ids all look the same, so ids of other organizations cannot be probed. */
export const notFound = (what: string, parameter = 'id'): ApiError =>
  new ApiError(404, { code: 'not_found', detail: `${what} not found`, source: { parameter } });

export const unprocessable = (code: string, detail: string, pointer?: string): ApiError =>
  new ApiError(422, { code, detail, ...(pointer ? { source: { pointer } } : {}) });

export const unauthorized = (detail: string): ApiError => new ApiError(401, { code: 'unauthorized', detail });

export const forbidden = (detail: string): ApiError => new ApiError(403, { code: 'forbidden', detail });
