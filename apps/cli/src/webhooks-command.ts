// `vidq webhooks list --video ID | --batch ID [--json]` and `vidq webhooks replay DELIVERY_ID`.
import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { UsageError, type Act } from './command-kit.js';

export function addWebhooksCommand(program: Command, io: CliIo, act: Act): void {
  const webhooks = program.command('webhooks').description('Webhook deliveries: list them, replay one');
  webhooks
    .command('list')
    .description('Deliveries about a video or a batch, with every attempt')
    .option('--video <id>', 'video id')
    .option('--batch <id>', 'batch id')
    .option('--json', 'print the API answer as JSON')
    .action(
      act(async (vq, opts: { video?: string; batch?: string; json?: boolean }) => {
        if ((opts.video === undefined) === (opts.batch === undefined)) {
          throw new UsageError('give --video <id> or --batch <id> (one of them)');
        }
        const list = await vq.webhookDeliveries(
          opts.video !== undefined ? { videoId: opts.video } : { batchId: opts.batch! },
        );
        if (opts.json) {
          io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        for (const d of list) {
          const last = d.attempt_log.at(-1);
          io.stdout.write(
            `${d.id}  ${d.event_type}  ${d.status}  ${d.attempts} attempt(s)${last ? `, last ${last.status ?? '-'}${last.error ? ` (${last.error})` : ''}` : ''}  ${new URL(d.url).host}\n`,
          );
        }
        if (list.length === 0) io.stdout.write('no deliveries\n');
      }),
    );
  webhooks
    .command('replay')
    .description('Send a delivery again: same webhook-id and body, a new timestamp and signature')
    .argument('<delivery-id>', 'delivery id (msg_…), from `vidq webhooks list`')
    .action(
      act(async (vq, deliveryId: string) => {
        const r = await vq.replayWebhookDelivery(deliveryId);
        io.stdout.write(`replay of ${r.id} queued (job ${r.job_id})\n`);
      }),
    );
}
