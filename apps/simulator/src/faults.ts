import type { ErrorStyle, FaultName, FaultRates } from './config.js';
import type { ErrorShape, ProviderError } from './errors.js';
import type { Random } from './random.js';

/** Which call a fault applies to. */
export type CallSide = 'create' | 'status';

const SERVER_ERRORS: readonly ProviderError[] = [
  { status: 500, name: 'InternalServerError', message: 'Internal server error' },
  { status: 502, name: 'BadGatewayError', message: 'Bad gateway: the model provider did not answer' },
  {
    status: 503,
    name: 'ServiceUnavailableError',
    message: 'Service temporarily unavailable for maintenance',
  },
  { status: 504, name: 'GatewayTimeoutError', message: 'Generation timeout' },
];

/**
 * The dice behind every fault. One roll per fault kind and request, against the rate configured for
 * that side (create or status); with SIM_SEED the sequence repeats run after run.
 */
export class FaultDice {
  readonly #random: Random;
  #shapeTurn = 0;

  constructor(random: Random) {
    this.#random = random;
  }

  hit(rates: FaultRates, name: FaultName): boolean {
    const rate = rates[name];
    return rate > 0 && this.#random() < rate;
  }

  /** 500, 502, 503 or 504 ("Generation timeout"), in equal shares. */
  serverError(): ProviderError {
    const index = Math.min(SERVER_ERRORS.length - 1, Math.floor(this.#random() * SERVER_ERRORS.length));
    return SERVER_ERRORS[index]!;
  }

  /** The body shape for the next fault answer; `mixed` takes turns so clients see every shape. */
  shape(style: ErrorStyle): ErrorShape {
    switch (style) {
      case 'plain':
        return 'plain';
      case 'problem':
        return 'problem';
      case 'mixed': {
        const shapes: readonly ErrorShape[] = ['plain', 'problem', 'plain-string-status'];
        const shape = shapes[this.#shapeTurn % shapes.length]!;
        this.#shapeTurn += 1;
        return shape;
      }
    }
  }
}

export function rateLimitError(retryAfterSeconds: number): ProviderError {
  return {
    status: 429,
    name: 'RateLimitError',
    message: 'Too many requests: rate limit exceeded, please retry later',
    headers: { 'retry-after': String(retryAfterSeconds) },
  };
}

export const OUT_OF_CREDITS: ProviderError = {
  status: 403,
  name: 'ForbiddenError',
  message: 'You have run out of credits. Top up your balance or upgrade your plan to continue.',
};
