import type { GenerationJob, GenerationJobData } from '@vidqueue/core/contract';
import { readRunFlags } from '@vidqueue/core/store';
import { accountPauseFrom, type AccountPauseState } from '../account-pause.js';
import type { KnownBackoff } from '../budgets.js';
import { modelBlockFrom, type ModelBlockState } from '../model-block.js';
import type { StepContext } from './context.js';
import { submittingData } from './submitting-data.js';

/** The shared flags a run obeys, read together in one script when the run starts. */
export type RunFlags = {
  cancelled: boolean;
  /** Read for a `pending` job only. */
  paused?: AccountPauseState | null;
  /** The back-off of the call this run is about to make, when there are budgets. */
  backoff?: KnownBackoff;
  /** Read for a `pending` job only: the provider refused this job's model for the account a moment ago. */
  modelBlocked?: ModelBlockState | null;
  /**
   * The `submitting` step, when the same script already wrote it: the job was pending, nothing held
   * the create back (no cancel, pause or back-off, no create budget to ask) and this run holds the lock.
   */
  claimed?: GenerationJobData;
};

/**
 * One round trip (one script, `readRunFlags`) for the cancel flag, the account pause and the model's
 * block (creates) and the call's back-off (create, status or logs); for a pending job whose create needs
 * no budget decision, also the `submitting` claim (never made while the model is blocked).
 */
export async function readFlags(
  ctx: StepContext,
  job: GenerationJob,
  token: string,
  data: GenerationJobData,
): Promise<RunFlags> {
  const { keys, budgets } = ctx;
  const jobId = job.id ?? '';
  const creating = data.step === 'pending';
  const withBackoff = budgets !== undefined && data.step !== 'submitting';
  const callKind = creating ? 'create' : data.step === 'reconciling' ? 'logs' : 'status';
  const blocks = creating && ctx.config.MODEL_BLOCK_MS > 0;
  // A create that may need a budget or a spending reservation first is claimed by `submit` after them.
  const gated = budgets?.createsGated === true || ctx.spend?.applies(data) === true;
  const claim = creating && !gated ? submittingData(job, data, ctx.now()) : undefined;
  const reply = await readRunFlags(
    ctx.redis,
    job,
    token,
    {
      cancel: keys.cancel(jobId),
      accountPause: creating ? keys.accountPause : '',
      backoff: withBackoff ? keys.backoff(callKind) : '',
      modelBlock: blocks ? keys.modelBlock(data.input.model) : '',
    },
    claim,
  );
  const [cancelled, pauseFields, pausePttl, backoffPttl, claimed, blockPttl, blockReason] = reply;
  const flags: RunFlags = { cancelled: cancelled === 1 };
  if (claim && claimed === 1) flags.claimed = claim;
  if (creating) {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < pauseFields.length; i += 2)
      fields[pauseFields[i] ?? ''] = pauseFields[i + 1] ?? '';
    flags.paused = accountPauseFrom(fields, pausePttl, ctx.config.ACCOUNT_PAUSE_MS);
  }
  if (withBackoff) flags.backoff = { backoffPttl };
  if (creating) flags.modelBlocked = modelBlockFrom(blockPttl, blockReason);
  return flags;
}
