import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultName, FaultRates } from '../config.js';
import { sendProviderError, type ProviderError } from '../errors.js';
import type { CallSide } from '../faults.js';
import type { SimulatorState } from '../state.js';

/** The fault helpers both generation routes use: dice, fault answers, dropped sockets, slow answers. */
export type FaultKit = {
  /** Rolls the dice for one fault on one side; counts it when it hits. */
  hit(side: CallSide, name: FaultName): boolean;
  /** Answers an injected error in the configured body style. */
  faultReply(request: FastifyRequest, reply: FastifyReply, error: ProviderError): FastifyReply;
  /** Cuts the connection without an answer: the caller cannot know what happened. */
  drop(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** The `slow` fault. False when the server began closing meanwhile (then drop the connection). */
  slowDown(side: CallSide): Promise<boolean>;
  /** Base URL for the video links handed out. */
  baseUrl(request: FastifyRequest): string;
};

export function faultKit(state: SimulatorState): FaultKit {
  const rates = (side: CallSide): FaultRates =>
    side === 'create' ? state.current.createFaults : state.current.statusFaults;

  const hit = (side: CallSide, name: FaultName): boolean => {
    if (!state.dice.hit(rates(side), name)) return false;
    state.counters.fault(name);
    return true;
  };

  return {
    hit,
    faultReply(request, reply, error) {
      request.log.debug({ status: error.status }, 'simulator: injected fault');
      return sendProviderError(request, reply, error, state.dice.shape(state.current.errorStyle));
    },
    drop(request, reply) {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    },
    async slowDown(side) {
      if (!hit(side, 'slow')) return true;
      try {
        await sleep(state.current.slowMs, undefined, { signal: state.closing.signal });
        return true;
      } catch {
        return false;
      }
    },
    baseUrl(request) {
      return state.current.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
    },
  };
}
