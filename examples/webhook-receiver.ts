/**
 * A webhook receiver that verifies every delivery with the `standardwebhooks` package (the same one
 * vidqueue signs with), answers 204 fast, and handles each event once (by `webhook-id`).
 *   WEBHOOK_SECRET=$(cat .data/webhook-secret) pnpm exec tsx examples/webhook-receiver.ts   # listens on :4000
 * then send work with a webhook_url (WEBHOOK_ALLOW_PRIVATE=true on the worker for a local receiver):
 *   curl -X POST localhost:3000/v1/videos -H 'content-type: application/json' \
 *        -d '{"prompt":"a red fox in snow","webhook_url":"http://127.0.0.1:4000/hooks"}'
 */
import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

type VideoEvent = {
  type: 'video.completed' | 'video.failed';
  timestamp: string;
  data: { id: string; status: string; video_url: string | null; archive: { sha256: string | null } | null };
};
type BatchEvent = {
  type: 'batch.completed';
  timestamp: string;
  data: { id: string; counts: Record<string, number> };
};

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error('set WEBHOOK_SECRET (whsec_…): the value the API signs with');
const webhook = new Webhook(secret);
const port = Number(process.env.PORT ?? 4000);
/** Deliveries are retried (and can be replayed): remember what was handled. Use a database in real life. */
const handled = new Set<string>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8'); // verify the exact bytes received
    let event: VideoEvent | BatchEvent;
    try {
      event = webhook.verify(body, req.headers as Record<string, string>) as VideoEvent | BatchEvent;
    } catch (err) {
      // A wrong signature, or a timestamp more than 5 minutes off: not from us (or replayed by someone else).
      res.writeHead(err instanceof WebhookVerificationError ? 400 : 500).end();
      console.error(`refused: ${(err as Error).message}`);
      return;
    }
    res.writeHead(204).end(); // answer first; do slow work after (the sender waits at most 15 s)
    const id = String(req.headers['webhook-id']);
    if (handled.has(id)) return;
    handled.add(id);
    if (event.type === 'batch.completed') {
      console.log(`${id} batch.completed ${event.data.id} ${JSON.stringify(event.data.counts)}`);
    } else {
      console.log(
        `${id} ${event.type} ${event.data.id} ${event.data.video_url ?? ''} ${event.data.archive?.sha256 ?? ''}`.trim(),
      );
    }
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/hooks`));
process.once('SIGTERM', () => server.close());
process.once('SIGINT', () => server.close());
