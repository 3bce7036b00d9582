import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The simulator's catalogue (`GET /v1/models?include=pricing`) with the prices of some models replaced,
 * for the cases today's two supported models cannot show against the simulator alone (both are priced
 * there): a row of a `variable` model is unpriced. Everything else is the simulator's answer.
 */
export async function startCatalogueProxy(
  simulatorUrl: string,
  replace: Record<string, unknown>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (!req.url?.startsWith('/v1/models')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
        return;
      }
      const upstream = await fetch(`${simulatorUrl}${req.url}`);
      const body = (await upstream.json()) as { data: { id: string; pricing?: unknown }[] };
      for (const model of body.data) if (Object.hasOwn(replace, model.id)) model.pricing = replace[model.id];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
