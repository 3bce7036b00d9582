import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorSettings } from '../config.js';
import { SimulatorOptionsSchema } from '../options-schema.js';
import type { SimulatorState } from '../state.js';

/** Settings as shown over HTTP: accepted keys are counted, never shown. */
function visible(settings: SimulatorSettings): Omit<SimulatorSettings, 'apiKeys'> & { apiKeys: number } {
  return { ...settings, apiKeys: settings.apiKeys.length };
}

/**
 * Test and benchmark controls, no key needed: `GET /sim/stats`, `POST /sim/reset` (`?generations=true`
 * also forgets every generation), `GET /sim/config` and `POST /sim/config` (a JSON subset of the
 * options, for example `{"faults":{"rate_limit":0.5}}`, applied at once).
 */
export function simRoutes(app: FastifyInstance, opts: { state: SimulatorState }): void {
  const { state } = opts;

  app.get('/sim/stats', (_request, reply) => reply.send(state.stats()));

  app.post('/sim/reset', (request, reply) => {
    const { generations } = request.query as { generations?: string };
    state.reset({ generations: generations === 'true' || generations === '1' });
    return reply.code(204).send();
  });

  app.get('/sim/config', (_request, reply) => reply.send(visible(state.settings())));

  app.post('/sim/config', (request, reply) => {
    const parsed = SimulatorOptionsSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.code(400).send({ message: z.prettifyError(parsed.error), statusCode: 400 });
    }
    try {
      return reply.send(visible(state.configure(parsed.data)));
    } catch (err) {
      return reply.code(400).send({ message: (err as Error).message, statusCode: 400 });
    }
  });
}
