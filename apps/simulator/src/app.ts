import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { SimulatorOptions } from './config.js';
import { sendProviderError } from './errors.js';
import { billingRoutes } from './routes/billing.js';
import { logRefusal } from './routes/create.js';
import { fileRoutes } from './routes/files.js';
import { generationRoutes } from './routes/generations.js';
import { logRoutes } from './routes/logs.js';
import { modelRoutes } from './routes/models.js';
import { simRoutes } from './routes/sim.js';
import { loadSampleVideo } from './sample-video.js';
import { SimulatorState, type SimulatorControl } from './state.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Counters and run-time settings of the simulator (what /sim/* exposes over HTTP). */
    simulator: SimulatorControl;
  }
}

/** One debug line per request (never its headers, so never the key); nothing at info level. */
class DebugRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.debug(line, 'request completed');
  }
}

export type BuildSimulatorOptions = SimulatorOptions & {
  /** A pino-compatible logger; default: no logging. The bearer key is never logged. */
  logger?: FastifyBaseLogger | false;
  /** Another MP4 to serve instead of assets/sample.mp4. */
  sampleVideoPath?: string;
};

/** The simulator as a Fastify instance that is not listening yet (tests can use `inject`). */
export function buildSimulator(options: BuildSimulatorOptions = {}): FastifyInstance {
  const { logger, sampleVideoPath, ...simulatorOptions } = options;
  const state = new SimulatorState(simulatorOptions, loadSampleVideo(sampleVideoPath));
  const app: FastifyInstance = logger
    ? Fastify({ loggerInstance: logger, logController: new DebugRequestLog() })
    : Fastify({ logger: false });

  app.decorate('simulator', state);
  // Ends `slow` waits at once, so close() does not wait for them.
  app.addHook('preClose', (done) => {
    state.closing.abort();
    done();
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err }, 'simulator: internal error');
      return sendProviderError(request, reply, {
        status: 500,
        name: 'InternalServerError',
        message: 'Internal server error',
      });
    }
    if (status === 400 && request.method === 'POST' && request.routeOptions.url === '/v2/video/generations') {
      // Unparseable JSON: the provider calls every bad body a body validation error.
      state.counters.rejected('validation');
      logRefusal(state, request, reply, undefined);
      return sendProviderError(request, reply, {
        status: 400,
        name: 'BodyValidationError',
        message: 'Body validation error!',
        extra: {
          errors: [
            {
              code: 'invalid_type',
              path: [],
              message: err.message,
              expected: 'object',
              received: 'invalid JSON',
            },
          ],
        },
      });
    }
    return sendProviderError(request, reply, { status, name: err.name, message: err.message });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    return sendProviderError(request, reply, {
      status: 404,
      name: 'NotFoundError',
      message: `Cannot ${request.method} ${path}`,
    });
  });

  app.register(generationRoutes, { state });
  app.register(modelRoutes, { state });
  app.register(fileRoutes, { state });
  app.register(logRoutes, { state });
  app.register(billingRoutes, { state });
  app.register(simRoutes, { state });
  return app;
}
