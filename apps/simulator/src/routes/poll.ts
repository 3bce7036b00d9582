import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProviderError } from '../errors.js';
import { rateLimitError } from '../faults.js';
import { statusAt } from '../generations.js';
import { presentGeneration } from '../present.js';
import type { SimulatorState } from '../state.js';
import { spokenStatus } from '../statuses.js';
import type { FaultKit } from './fault-kit.js';
import { looksIssuable, setUsageHeaders } from './headers.js';

function missingId(query: Record<string, unknown>) {
  const value = query.generation_id;
  const received = value === undefined ? 'undefined' : Array.isArray(value) ? 'array' : "''";
  return {
    status: 400,
    name: 'QueryValidationError',
    message: 'Query validation error!',
    extra: {
      errors: [
        { code: 'invalid_type', path: ['generation_id'], message: 'Required', expected: 'string', received },
      ],
    },
  };
}

/**
 * `GET /v2/video/generations?generation_id=<id>`. Order: slow → 429 → 5xx → drop → 400 (no id) →
 * 404 (unknown id, or younger than `fresh404Ms`) → the generation object. `x-inference-id` is the polled
 * id on every answer, left out when the id does not look like one the provider could have issued.
 */
export function pollHandler(state: SimulatorState, kit: FaultKit) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const query = request.query as Record<string, unknown>;
    const id = typeof query.generation_id === 'string' ? query.generation_id : undefined;
    const generation = id === undefined ? undefined : state.store.get(id);
    state.counters.statusCheck(generation?.prompt);
    if (id !== undefined && looksIssuable(id)) reply.header('x-inference-id', id);
    if (!(await kit.slowDown('status'))) return kit.drop(request, reply);
    if (kit.hit('status', 'rate_limit')) {
      return kit.faultReply(request, reply, rateLimitError(state.current.retryAfterSeconds));
    }
    if (kit.hit('status', 'server_error'))
      return kit.faultReply(request, reply, state.dice.serverError(state.current.serverErrorStatuses));
    if (kit.hit('status', 'drop')) return kit.drop(request, reply);

    if (id === undefined || id === '') {
      state.counters.rejected('validation');
      return sendProviderError(request, reply, missingId(query));
    }
    const now = Date.now();
    const settings = state.current;
    const fresh = generation !== undefined && now - generation.createdAt < settings.fresh404Ms;
    if (generation === undefined || fresh) {
      state.counters.rejected(fresh ? 'fresh_not_found' : 'not_found');
      const message = `Generation with id ${id} was not found`;
      return sendProviderError(request, reply, { status: 404, name: 'NotFoundError', message });
    }

    const poll = state.store.nextPoll(generation.id);
    const reportUsage = statusAt(generation, now) === 'completed' && settings.costOn !== 'create';
    if (reportUsage) setUsageHeaders(reply, generation);
    return presentGeneration(generation, now, {
      legacy: settings.legacy,
      baseUrl: kit.baseUrl(request),
      fileSize: state.video.size,
      status: spokenStatus(generation, now, poll, settings),
      reportUsage,
    });
  };
}
