import { FAULT_NAMES, type FaultName } from './config.js';

export type PromptStats = {
  creates: number;
  status_checks: number;
  /**
   * The body of the latest create that made a generation for this prompt, as received, without the
   * prompt (`model` and every other field): what a client really sent.
   */
  last_request?: Record<string, unknown>;
};

/** What `GET /sim/stats` answers (snake_case, like the provider). */
export type SimStats = {
  /** Authenticated create calls received, whatever their outcome. */
  create_requests: number;
  /** Generations actually created (including those whose answer was then dropped or a gateway error). */
  creates: number;
  /** Creates answered with the generation (2xx): `creates - answered_creates` callers never learnt the id. */
  answered_creates: number;
  /** Authenticated status calls received, whatever their outcome. */
  status_checks: number;
  /** Creates beyond the first for the same prompt text: each one a second bill in real life. */
  duplicate_creates: number;
  /** Generations created to end in `error` (the `fail` fault); they report it once their time is up. */
  failed_generations: number;
  /** Faults injected, by kind. */
  faults: Record<FaultName, number>;
  /**
   * Requests refused before any work: bad key, bad body, unknown generation id, a model the plan does
   * not include, an empty balance, a poll too soon after the create (`fresh404Ms`; not in not_found).
   */
  rejected: {
    unauthorized: number;
    validation: number;
    not_found: number;
    forbidden_model: number;
    no_balance: number;
    fresh_not_found: number;
  };
  by_prompt: Record<string, PromptStats>;
  /** Generations created and not yet finished. */
  in_flight: number;
  /** When the counters were last reset (ISO 8601). */
  since: string;
};

export type RejectionKind = keyof SimStats['rejected'];

function zeroRejected(): SimStats['rejected'] {
  return {
    unauthorized: 0,
    validation: 0,
    not_found: 0,
    forbidden_model: 0,
    no_balance: 0,
    fresh_not_found: 0,
  };
}

function zeroFaults(): Record<FaultName, number> {
  return Object.fromEntries(FAULT_NAMES.map((name) => [name, 0])) as Record<FaultName, number>;
}

/** Call counters for tests and benchmarks. */
export class StatsCollector {
  #createRequests = 0;
  #creates = 0;
  #statusChecks = 0;
  #duplicates = 0;
  #failed = 0;
  #faults = zeroFaults();
  #answered = 0;
  #rejected = zeroRejected();
  #byPrompt = new Map<string, PromptStats>();
  #since = new Date();

  createRequest(): void {
    this.#createRequests += 1;
  }

  /** A generation was created for this prompt, from `request` (the body without the prompt). */
  created(prompt: string, willFail: boolean, request?: Record<string, unknown>): void {
    this.#creates += 1;
    if (willFail) this.#failed += 1;
    const entry = this.#prompt(prompt);
    if (request !== undefined) entry.last_request = request;
    entry.creates += 1;
    if (entry.creates > 1) this.#duplicates += 1;
  }

  /** A create answered with its generation. */
  answeredCreate(): void {
    this.#answered += 1;
  }

  /** A status call; `prompt` when the id was known. */
  statusCheck(prompt: string | undefined): void {
    this.#statusChecks += 1;
    if (prompt !== undefined) this.#prompt(prompt).status_checks += 1;
  }

  fault(name: FaultName): void {
    this.#faults[name] += 1;
  }

  rejected(kind: RejectionKind): void {
    this.#rejected[kind] += 1;
  }

  snapshot(inFlight: number): SimStats {
    return {
      create_requests: this.#createRequests,
      creates: this.#creates,
      answered_creates: this.#answered,
      status_checks: this.#statusChecks,
      duplicate_creates: this.#duplicates,
      failed_generations: this.#failed,
      faults: { ...this.#faults },
      rejected: { ...this.#rejected },
      // fromEntries defines own properties, so a prompt such as "__proto__" is just a key.
      by_prompt: Object.fromEntries(
        [...this.#byPrompt].map(([p, s]) => [
          p,
          { ...s, ...(s.last_request && { last_request: { ...s.last_request } }) },
        ]),
      ),
      in_flight: inFlight,
      since: this.#since.toISOString(),
    };
  }

  reset(): void {
    this.#createRequests = 0;
    this.#creates = 0;
    this.#statusChecks = 0;
    this.#duplicates = 0;
    this.#failed = 0;
    this.#faults = zeroFaults();
    this.#rejected = zeroRejected();
    this.#answered = 0;
    this.#byPrompt = new Map();
    this.#since = new Date();
  }

  #prompt(prompt: string): PromptStats {
    let entry = this.#byPrompt.get(prompt);
    if (entry === undefined) {
      entry = { creates: 0, status_checks: 0 };
      this.#byPrompt.set(prompt, entry);
    }
    return entry;
  }
}
