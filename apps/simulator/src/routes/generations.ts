import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../auth.js';
import type { FaultName, FaultRates } from '../config.js';
import { sendProviderError, type ProviderError } from '../errors.js';
import { OUT_OF_CREDITS, rateLimitError, type CallSide } from '../faults.js';
import { drawGenerationMs, statusAt } from '../generations.js';
import { presentGeneration } from '../present.js';
import type { SimulatorState } from '../state.js';
import { checkGenerationBody } from '../validation.js';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `POST /v2/video/generations` and `GET /v2/video/generations?generation_id=...`, behind the key check. */
export function generationRoutes(app: FastifyInstance, opts: { state: SimulatorState }): void {
  const { state } = opts;

  app.addHook('onRequest', (request, reply, done) => {
    const id = request.headers['x-client-request-id'];
    if (typeof id === 'string' && CLIENT_REQUEST_ID.test(id)) reply.header('x-client-request-id', id);
    done();
  });
  app.addHook('onRequest', authenticate(state));

  const rates = (side: CallSide): FaultRates =>
    side === 'create' ? state.current.createFaults : state.current.statusFaults;

  const hit = (side: CallSide, name: FaultName): boolean => {
    if (!state.dice.hit(rates(side), name)) return false;
    state.counters.fault(name);
    return true;
  };

  const faultReply = (request: FastifyRequest, reply: FastifyReply, error: ProviderError) => {
    request.log.debug({ status: error.status }, 'simulator: injected fault');
    return sendProviderError(request, reply, error, state.dice.shape(state.current.errorStyle));
  };

  /** Cuts the connection without an answer: the caller cannot know what happened. */
  const drop = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    request.raw.socket.destroy();
    return reply;
  };

  /** The `slow` fault. False when the server began closing meanwhile (the connection is then dropped). */
  const slowDown = async (side: CallSide): Promise<boolean> => {
    if (!hit(side, 'slow')) return true;
    try {
      await sleep(state.current.slowMs, undefined, { signal: state.closing.signal });
      return true;
    } catch {
      return false;
    }
  };

  const baseUrl = (request: FastifyRequest) =>
    state.current.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;

  app.post('/v2/video/generations', async (request, reply) => {
    state.counters.createRequest();
    if (!(await slowDown('create'))) return drop(request, reply);
    if (hit('create', 'rate_limit')) {
      return faultReply(request, reply, rateLimitError(state.current.retryAfterSeconds));
    }
    const check = checkGenerationBody(request.body);
    if (!check.ok) {
      state.counters.rejected('validation');
      return sendProviderError(request, reply, {
        status: 400,
        name: 'BodyValidationError',
        message: 'Body validation error!',
        extra: { errors: check.issues },
      });
    }
    if (hit('create', 'out_of_credits')) return faultReply(request, reply, OUT_OF_CREDITS);
    if (hit('create', 'server_error')) return faultReply(request, reply, state.dice.serverError());

    const settings = state.current;
    const { model, prompt, duration } = check.request;
    const willFail = hit('create', 'fail');
    const generation = state.store.add({
      model,
      prompt,
      duration,
      outcome: willFail ? 'error' : 'completed',
      totalMs: drawGenerationMs(settings.generationMs, state.random, duration, settings.scaleByDuration),
      queuedFraction: settings.queuedFraction,
      idStyle: settings.idStyle,
    });
    state.counters.created(prompt, willFail);
    request.log.debug({ generationId: generation.id, model }, 'simulator: generation created');

    // The dangerous real case: the generation exists (and will be billed) but the answer never arrives.
    if (hit('create', 'drop')) return drop(request, reply);

    reply.code(settings.legacy ? 201 : 200).header('x-inference-id', generation.id);
    return presentGeneration(generation, Date.now(), {
      legacy: settings.legacy,
      baseUrl: baseUrl(request),
      fileSize: state.video.size,
    });
  });

  app.get('/v2/video/generations', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const id = typeof query.generation_id === 'string' ? query.generation_id : undefined;
    const generation = id === undefined ? undefined : state.store.get(id);
    state.counters.statusCheck(generation?.prompt);
    if (!(await slowDown('status'))) return drop(request, reply);
    if (hit('status', 'rate_limit')) {
      return faultReply(request, reply, rateLimitError(state.current.retryAfterSeconds));
    }
    if (hit('status', 'server_error')) return faultReply(request, reply, state.dice.serverError());
    if (hit('status', 'drop')) return drop(request, reply);

    if (id === undefined || id === '') {
      state.counters.rejected('validation');
      return sendProviderError(request, reply, {
        status: 400,
        name: 'QueryValidationError',
        message: 'Query validation error!',
        extra: {
          errors: [
            {
              code: 'invalid_type',
              path: ['generation_id'],
              message: 'Required',
              expected: 'string',
              received:
                query.generation_id === undefined
                  ? 'undefined'
                  : Array.isArray(query.generation_id)
                    ? 'array'
                    : "''",
            },
          ],
        },
      });
    }
    if (generation === undefined) {
      state.counters.rejected('not_found');
      return sendProviderError(request, reply, {
        status: 404,
        name: 'NotFoundError',
        message: `Generation with id ${id} was not found`,
      });
    }

    const now = Date.now();
    const settings = state.current;
    reply.header('x-inference-id', generation.id);
    if (statusAt(generation, now) === 'completed') {
      reply.header('x-aimlapi-credits-used', String(generation.creditsUsed));
      reply.header('x-aimlapi-usd-spent', String(generation.usdSpent));
    }
    return presentGeneration(generation, now, {
      legacy: settings.legacy,
      baseUrl: baseUrl(request),
      fileSize: state.video.size,
    });
  });
}
