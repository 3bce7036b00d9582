import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { keyIdOf } from '../auth.js';
import { CREATED_THEN_FAULTS } from '../config.js';
import { sendProviderError, type ProviderError } from '../errors.js';
import { OUT_OF_CREDITS, createdThenAnswer, modelForbidden, rateLimitError } from '../faults.js';
import { drawGenerationMs, type StoredGeneration } from '../generations.js';
import { chargeFor, clipSeconds } from '../prices.js';
import { presentGeneration } from '../present.js';
import type { SimulatorState } from '../state.js';
import { spokenStatus } from '../statuses.js';
import { checkGenerationBody } from '../validation.js';
import { findVideoModel } from '../video-models.js';
import { clientRequestIdOf, setUsageHeaders } from './headers.js';
import type { FaultKit } from './fault-kit.js';

/**
 * `POST /v2/video/generations`. Order: slow → 429 → body validation → 403 model not in plan → 403 out
 * of credits (fault, then an empty balance) → 5xx → create (its failure decided) → drop or a
 * `created_then_*` gateway error → answer. Every request here (the key was checked) leaves one
 * usage-log row; those that made no generation are failed rows with zero cost.
 */
export function createHandler(state: SimulatorState, kit: FaultKit) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    state.counters.createRequest();
    const row = requestRow(request);
    const named =
      typeof (request.body as { model?: unknown } | null)?.model === 'string'
        ? (request.body as { model: string }).model
        : undefined;
    // A renamed model's new id is served by the model it was (renamedModels).
    const formerId = Object.entries(state.current.renamedModels).find(([, now]) => now === named)?.[0];
    const body = (
      formerId === undefined ? request.body : { ...(request.body as object), model: formerId }
    ) as Record<string, unknown> | null | undefined;

    const refuse = (error: ProviderError, injected: boolean) => {
      logRefusal(state, request, reply, named, row);
      return injected ? kit.faultReply(request, reply, error) : sendProviderError(request, reply, error);
    };

    if (!(await kit.slowDown('create'))) return kit.drop(request, reply);
    if (kit.hit('create', 'rate_limit')) return refuse(rateLimitError(state.current.retryAfterSeconds), true);
    const check = checkGenerationBody(body);
    if (!check.ok) {
      state.counters.rejected('validation');
      const extra = { errors: check.issues };
      return refuse(
        { status: 400, name: 'BodyValidationError', message: 'Body validation error!', extra },
        false,
      );
    }
    const { model, schema, prompt, params } = check.request;
    const settings = state.current;
    if (settings.forbiddenModels.some((m) => m === model || m === named)) {
      state.counters.rejected('forbidden_model');
      return refuse(modelForbidden(model), true);
    }
    if (kit.hit('create', 'out_of_credits')) return refuse(OUT_OF_CREDITS, true);
    if (state.ledger.balance() <= 0) {
      state.counters.rejected('no_balance');
      return refuse(OUT_OF_CREDITS, true);
    }
    if (kit.hit('create', 'server_error'))
      return refuse(state.dice.serverError(state.current.serverErrorStatuses), true);

    const duration = clipSeconds(schema, params);
    const willFail = kit.hit('create', 'fail');
    const generation = state.store.add({
      model,
      prompt: prompt ?? '',
      duration,
      charge: chargeFor(schema, params),
      outcome: willFail ? 'error' : 'completed',
      withoutVideo: !willFail && kit.hit('create', 'no_video'),
      totalMs: drawGenerationMs(settings.generationMs, state.random, duration, settings.scaleByDuration),
      queuedFraction: settings.queuedFraction,
      idStyle: settings.idStyle,
    });
    const { prompt: _prompt, ...fields } = params;
    state.counters.created(generation.prompt, willFail, { model: named, ...fields });
    record(state, generation, row);
    request.log.debug({ generationId: generation.id, model }, 'simulator: generation created');

    // The dangerous real cases: the generation exists (and will be billed) but the answer is lost.
    if (kit.hit('create', 'drop')) return kit.drop(request, reply);
    const lost = CREATED_THEN_FAULTS.find((fault) => kit.hit('create', fault));
    if (lost !== undefined) return gatewayReply(kit, request, reply, lost);

    state.counters.answeredCreate();
    const reportUsage = settings.costOn !== 'completed';
    reply.code(settings.legacy ? 201 : 200).header('x-inference-id', generation.id);
    if (reportUsage) setUsageHeaders(reply, generation);
    const now = Date.now();
    return presentGeneration(generation, now, {
      legacy: settings.legacy,
      baseUrl: kit.baseUrl(request),
      fileSize: state.video.size,
      status: spokenStatus(generation, now, 0, settings),
      reportUsage,
    });
  };
}

/** The id the provider calls a model by now: its new id when it was renamed (usage-log rows carry it). */
function currentId(state: SimulatorState, id: string): string {
  return Object.hasOwn(state.current.renamedModels, id) ? state.current.renamedModels[id]! : id;
}

type RequestRow = { created: number; keyId: string; requestId: string; clientRequestId: string | null };

function requestRow(request: FastifyRequest): RequestRow {
  return {
    created: Date.now(),
    keyId: keyIdOf(request),
    requestId: randomUUID(),
    clientRequestId: clientRequestIdOf(request),
  };
}

/**
 * A create refused before any generation: a failed usage-log row with zero cost, under its own
 * inference id, which the answer carries as `x-inference-id`.
 */
export function logRefusal(
  state: SimulatorState,
  request: FastifyRequest,
  reply: FastifyReply,
  named: string | undefined,
  row: RequestRow = requestRow(request),
): void {
  const inferenceId = randomUUID();
  const known = named !== undefined ? findVideoModel(named)?.id : undefined;
  const model = known === undefined ? (named ?? 'unknown') : currentId(state, known);
  state.logs.add({ ...row, model, inferenceId });
  reply.header('x-inference-id', inferenceId);
}

/** The generation's usage-log row, and its charge on the balance once it completes (never if it fails). */
function record(state: SimulatorState, generation: StoredGeneration, row: RequestRow): void {
  const charge = { usdSpent: generation.usdSpent, creditsUsed: generation.creditsUsed };
  state.logs.add({
    ...row,
    model: currentId(state, generation.model),
    inferenceId: generation.id,
    generation: { doneAt: generation.doneAt, outcome: generation.outcome, charge },
  });
  if (generation.outcome === 'completed') state.ledger.charge(generation.doneAt, generation.usdSpent);
}

/** A gateway error instead of the answer: no x-inference-id, nothing echoed, the id is lost. */
function gatewayReply(
  kit: FaultKit,
  request: FastifyRequest,
  reply: FastifyReply,
  fault: (typeof CREATED_THEN_FAULTS)[number],
): FastifyReply {
  reply.removeHeader('x-client-request-id');
  const answer = createdThenAnswer(fault);
  if (answer.kind === 'provider') return kit.faultReply(request, reply, answer.error);
  return reply.code(answer.status).type('text/html; charset=utf-8').send(answer.html);
}
