import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth.js';
import type { SimulatorState } from '../state.js';
import { createHandler } from './create.js';
import { faultKit } from './fault-kit.js';
import { clientRequestIdOf } from './headers.js';
import { pollHandler } from './poll.js';

/** `POST /v2/video/generations` and `GET /v2/video/generations?generation_id=...`, behind the key check. */
export function generationRoutes(app: FastifyInstance, opts: { state: SimulatorState }): void {
  const { state } = opts;
  const kit = faultKit(state);

  app.addHook('onRequest', (request, reply, done) => {
    const id = clientRequestIdOf(request);
    if (id !== null) reply.header('x-client-request-id', id);
    done();
  });
  app.addHook('onRequest', authenticate(state));

  app.post('/v2/video/generations', createHandler(state, kit));
  app.get('/v2/video/generations', pollHandler(state, kit));
}
