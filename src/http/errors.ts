import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorItem, type ErrorSource } from '../domain/errors.ts';
import { loggableError } from '../db/loggable-error.ts';

// The one place that turns failures into Qonto's error body:
//   {"errors":[{"code","detail","source":{"parameter"|"pointer"}}],"trace_id":"…"}
// 422 items also carry `status` and `message`, as in Qonto's examples. Routes whose Qonto counterpart answers
// with a flat object (the webhook subscriptions API) set `config: { errorStyle: 'flat' }`.

export const TRACE_HEADER = 'x-tyk-trace-id';

declare module 'fastify' {
  interface FastifyContextConfig {
    errorStyle?: 'flat';
  }
}

export function errorBody(request: FastifyRequest, error: ApiError): Record<string, unknown> {
  const traceId = String(request.id);
  if (request.routeOptions.config?.errorStyle === 'flat') {
    const first = error.items[0] ?? { code: 'error', detail: error.message };
    return { ...first, ...error.extra, trace_id: traceId };
  }
  const items = error.status === 422
    ? error.items.map((i) => ({ code: i.code, detail: i.detail, status: '422', message: i.detail, ...(i.source ? { source: i.source } : {}) }))
    : error.items;
  return { errors: items, ...error.extra, trace_id: traceId };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.status(error.status).type('application/json; charset=utf-8').send(errorBody(request, error));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const api = toApiError(error);
    if (api.status >= 500) request.log.error({ err: loggableError(error) }, 'request failed');
    else request.log.info({ status: api.status, code: api.items[0]?.code }, 'request rejected');
    return sendError(request, reply, api);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new ApiError(404, { code: 'not_found', detail: `no route for ${request.method} ${request.url.split('?')[0]}` })),
  );
}

/**
 * Fastify's `frameworkErrors` option: errors raised while routing, before any handler runs, would otherwise get
 * Fastify's own body. A path parameter over the router's 100-character limit or with broken percent-encoding
 * cannot be any valid id, so it is the same 404 an unknown id gets.
 */
export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // No hook runs for these requests, so the request id headers are set here.
  reply.header(TRACE_HEADER, request.id).header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH' || error.code === 'FST_ERR_BAD_URL') {
    return sendError(request, reply, new ApiError(404, { code: 'not_found', detail: `no resource at ${request.url.split('?')[0]}` }));
  }
  return sendError(request, reply, toApiError(error));
}

function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) return fromValidation(error);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, { code: 'unsupported_media_type', detail: 'the body must be application/json', source: { parameter: 'Content-Type' } });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, { code: 'payload_too_large', detail: 'the body is too large' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, { code: 'invalid_content_length', detail: 'Content-Length does not match the body' });
  }
  // A body that is not JSON: Fastify's parser reports a SyntaxError with status 400.
  if (error.statusCode === 400 || error instanceof SyntaxError) {
    return new ApiError(400, { code: 'invalid_json', detail: `the body is not valid JSON: ${error.message}`, source: { pointer: '' } });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError(error.statusCode, { code: 'invalid_request', detail: error.message });
  }
  return new ApiError(500, { code: 'internal_server_error', detail: 'an unexpected error occurred; the trace_id identifies it in the server log' });
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function fromValidation(error: FastifyError): ApiError {
  const context = (error as { validationContext?: string }).validationContext ?? 'body';
  const all = error.validation as AjvError[];
  // Ajv reports `anyOf`/`oneOf` wrappers alongside their branches; the branches say more.
  const specific = all.filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword));
  return new ApiError(400, dedupe((specific.length > 0 ? specific : all).map((e) => validationItem(context, e))));
}

function validationItem(context: string, e: AjvError): ErrorItem {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extraProp = e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : undefined;
  const missingProp = e.keyword === 'required' ? String(e.params.missingProperty) : undefined;
  const path = [...segments, ...(extraProp ?? missingProp ? [extraProp ?? missingProp!] : [])];
  const name = context === 'body' ? `/${path.join('/')}` : path[0] ?? '';
  // Query, path and header values are all request parameters (OpenAPI's `in: query|path|header`).
  const source: ErrorSource = context === 'body' ? { pointer: name } : { parameter: name };
  const subject = context === 'body' ? (path.join('.') || 'body') : name;
  const [code, detail] = describe(e, subject);
  return { code, detail, source };
}

function describe(e: AjvError, subject: string): [string, string] {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return ['required', `${subject} is required`];
    case 'additionalProperties':
      return ['unknown_field', `${subject} is not an accepted field`];
    case 'type':
      return ['invalid_type', `${subject} must be ${article(String(p.type))}`];
    case 'enum':
      return ['not_in_list', `${subject} must be one of: ${(p.allowedValues as unknown[]).join(', ')}`];
    case 'const':
      return ['not_in_list', `${subject} must be ${JSON.stringify(p.allowedValue)}`];
    case 'format':
      return ['invalid_format', `${subject} must be a valid ${String(p.format)}`];
    case 'pattern':
      return ['invalid_format', `${subject} has an invalid format`];
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return ['out_of_range', `${subject} must be ${String(p.comparison)} ${String(p.limit)}`];
    case 'minLength':
      return ['too_short', `${subject} must be at least ${String(p.limit)} characters long`];
    case 'maxLength':
      return ['too_long', `${subject} must be at most ${String(p.limit)} characters long`];
    case 'minItems':
      return ['too_short', `${subject} must have at least ${String(p.limit)} items`];
    case 'maxItems':
      return ['too_long', `${subject} must have at most ${String(p.limit)} items`];
    case 'uniqueItems':
      return ['duplicate', `${subject} must not repeat a value`];
    default:
      return ['invalid', `${subject} ${e.message ?? 'is invalid'}`];
  }
}

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function dedupe(items: ErrorItem[]): ErrorItem[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = `${i.code}|${i.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
