import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import type { Config } from '../config.ts';
import type { Engine } from '../db/engine.ts';
import type { Clock } from '../domain/clock.ts';
import { ApiError } from '../domain/errors.ts';
import { frameworkError, installErrorHandling, TRACE_HEADER } from './errors.ts';
import { registerRoutes } from './routes/index.ts';
import { parseJsonBody } from './json-body.ts';
import { validatorCompiler } from './validation.ts';
import { configureAuthCache, watchAuthChanges } from '../services/auth-cache.ts';

export interface AppDeps {
  engine: Engine;
  config: Config;
  clock: Clock;
  /** false silences request logs (tests); otherwise pino at config.logLevel. */
  logger?: boolean;
}

export type App = FastifyInstance<
  RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider
>;

export const OPENAPI_INFO = {
  title: 'qcards',
  version: '0.1.0',
  description:
    "Qonto's Business API cards endpoints and v1/cards webhooks, served by a stateful, self-hostable server. " +
    'Paths under /v2 follow Qonto; paths under /qcards are qcards\' own (operator, sandbox, webhook logs).',
};

/** Builds the whole HTTP application; starting a process and listening happen elsewhere (src/cli). */
export async function buildApp(deps: AppDeps): Promise<App> {
  configureAuthCache(deps.config.authCacheMs);
  const app = Fastify({
    logger: deps.logger === false ? false : {
      level: deps.config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-qonto-staging-token"]'],
    },
    // One id per request: in every log line (reqId), in the response headers, and as `trace_id` in error bodies.
    // 32 hex digits from randomUUID, which draws on a cached pool of entropy: randomBytes per request was 2.8%
    // of the server's CPU on the write path.
    genReqId: () => randomUUID().replaceAll('-', ''),
    bodyLimit: 1024 * 1024,
    frameworkErrors: frameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const stopWatchingAuth = await watchAuthChanges(deps.engine, app.log);
  app.addHook('onClose', () => stopWatchingAuth());

  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    reply.header(TRACE_HEADER, request.id);
    reply.header('x-request-id', request.id);
  });
  if (deps.config.stagingToken) {
    const expected = deps.config.stagingToken;
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/v2/')) return;
      if (request.headers['x-qonto-staging-token'] !== expected) {
        throw new ApiError(401, { code: 'unauthorized', detail: 'X-Qonto-Staging-Token is missing or wrong' });
      }
    });
  }
  // An empty JSON body is no body (lifecycle endpoints take none, and some clients still send the content
  // type); a NUL character anywhere is a 400 (src/http/json-body.ts).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  installErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: OPENAPI_INFO,
      components: {
        securitySchemes: {
          OAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <access token>' },
          SecretKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Authorization: <login>:<secret key>' },
          Operator: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <operator token>' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await registerRoutes(app, deps);
  return app;
}
