import type { CreatedThenFault, ErrorStyle, FaultName, FaultRates, ServerErrorStatus } from './config.js';
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

  /** One of `statuses` (500, 502, 503 or 504 "Generation timeout"), in equal shares. */
  serverError(statuses: readonly ServerErrorStatus[]): ProviderError {
    const index = Math.min(statuses.length - 1, Math.floor(this.#random() * statuses.length));
    return SERVER_ERRORS.find((e) => e.status === statuses[index]) ?? SERVER_ERRORS[0]!;
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

/**
 * 403 for a model the account's plan does not include: account-specific, unlike out of credits. The
 * message names the model and says plan/tier, and never says "credits", so callers can tell the two apart.
 */
export function modelForbidden(model: string): ProviderError {
  return {
    status: 403,
    name: 'ForbiddenError',
    message: `Model ${model} is not available for your account's plan (tier). Upgrade your plan or use another model.`,
  };
}

/** What a create answers when the generation was created but the answer was lost on the way back. */
export type GatewayAnswer =
  { kind: 'provider'; error: ProviderError } | { kind: 'edge'; status: number; title: string; html: string };

function edgePage(status: number, title: string, text: string): GatewayAnswer {
  const html =
    `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head>\n` +
    `<body><h1>${status} ${title}</h1><p>${text}</p><hr><center>cloudflare</center></body></html>\n`;
  return { kind: 'edge', status, title, html };
}

/**
 * The `created_then_*` faults: 502 and 504 come from the provider's own gateway in its JSON envelope;
 * 524 and 408 from the edge in front of it, as an HTML page (no JSON at all).
 */
export function createdThenAnswer(fault: CreatedThenFault): GatewayAnswer {
  switch (fault) {
    case 'created_then_502':
      return { kind: 'provider', error: SERVER_ERRORS[1]! };
    case 'created_then_504':
      return { kind: 'provider', error: SERVER_ERRORS[3]! };
    case 'created_then_524':
      return edgePage(
        524,
        'A timeout occurred',
        'The origin web server timed out responding to this request.',
      );
    case 'created_then_408':
      return edgePage(408, 'Request Timeout', 'The server timed out waiting for the request.');
  }
}
