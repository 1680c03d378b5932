import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { ServiceContext } from '#main/services/context';
import { dispatch, toApiError } from '#main/services/dispatch';
import { events as eventSchemas } from '#shared/api/contract';
import { describeZodError, WorkbenchError } from '#shared/api/errors';
import { WireRequest } from '#shared/api/wire';
import { serveStatic } from './static-files';

export interface BrowserServerOptions {
  readonly ctx: ServiceContext;
  /** Folder of the built renderer (index.html + assets). */
  readonly rendererDir: string;
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
  readonly log?: (line: string) => void;
}

export interface BrowserServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const COOKIE = 'bw_token';

/** Content-Security-Policy of the served renderer (the same as the desktop window's). */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function requestToken(req: IncomingMessage): { query: string | null; cookie: string | undefined } {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === COOKIE)?.[1];
  return { query: url.searchParams.get('token'), cookie };
}

/**
 * Browser mode: the built renderer and the workbench API over a WebSocket, on loopback only.
 * Every request must carry the per-launch token (in the URL, or the cookie set by the first page
 * load); anything else is refused and logged.
 */
export async function startBrowserServer(opts: BrowserServerOptions): Promise<BrowserServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((line: string) => console.error(line));
  const securityHeaders = {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };

  const server: Server = createServer((req, res) => {
    const { query, cookie } = requestToken(req);
    const authorised = sameToken(query, token) || sameToken(cookie, token);
    if (!authorised) {
      log(
        `refused ${req.method} ${(req.url ?? '').split('?')[0]} from ${req.socket.remoteAddress}: missing or wrong token`,
      );
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Forbidden: open the URL printed by `biomed serve` (it carries the access token).\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const headers = {
      ...securityHeaders,
      'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    };
    if (serveStatic(opts.rendererDir, path, res, headers)) return;
    // Client-side routes fall back to the app shell.
    if (!path.includes('.') && serveStatic(opts.rendererDir, '/index.html', res, headers)) return;
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const { query, cookie } = requestToken(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/api' || !(sameToken(query, token) || sameToken(cookie, token))) {
      log(`refused WebSocket ${path} from ${req.socket.remoteAddress}: missing or wrong token`);
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = opts.ctx.events.subscribe((event, payload) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const checked = eventSchemas[event].safeParse(payload);
      if (checked.success) ws.send(JSON.stringify({ type: 'event', event, payload: checked.data }));
    });
    ws.on('close', unsubscribe);
    ws.on('message', async (data) => {
      let id: number | null = null;
      try {
        let json: unknown;
        try {
          json = JSON.parse(String(data));
        } catch {
          throw new WorkbenchError('invalid_input', 'Malformed message: not valid JSON');
        }
        const envelope = WireRequest.safeParse(json);
        if (!envelope.success) throw describeZodError(envelope.error, 'Malformed request');
        id = envelope.data.id;
        const output = await dispatch(opts.ctx, envelope.data.method, envelope.data.input);
        ws.send(JSON.stringify({ type: 'result', id, output }));
      } catch (err) {
        const error = toApiError(err);
        if (error.code === 'internal') log(`API error: ${error.message}`);
        ws.send(JSON.stringify({ type: 'error', id, error: error.toPayload() }));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
