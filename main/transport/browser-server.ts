import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ServiceContext } from '#main/services/context';
import { dispatch, toApiError } from '#main/services/dispatch';
import { events as eventSchemas } from '#shared/api/contract';
import { describeZodError, WorkbenchError } from '#shared/api/errors';
import { WireRequest } from '#shared/api/wire';
import { BadPath, serveStatic } from './static-files';

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

/** Host names a loopback server answers to (DNS rebinding: any other `Host` is refused). */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** The `Host` values this server accepts: a loopback name with the port it listens on. */
export function allowedHosts(port: number): ReadonlySet<string> {
  return new Set(LOOPBACK_NAMES.map((n) => `${n}:${port}`));
}

/** A request the server refuses before it reaches a handler. */
function refusal(
  req: IncomingMessage,
  hosts: ReadonlySet<string>,
  token: string,
  ws: boolean,
): string | null {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return `Host ${JSON.stringify(host.slice(0, 100))} is not this loopback server`;
  if (ws) {
    // Browsers always send Origin on a WebSocket; only the app's own page may connect (cross-site
    // WebSocket hijacking). Clients that are not browsers send none and still need the token.
    const origin = req.headers.origin;
    if (origin !== undefined && ![...hosts].some((h) => origin.toLowerCase() === `http://${h}`))
      return `Origin ${JSON.stringify(origin.slice(0, 100))} is not this server`;
  }
  const { query, cookie } = requestToken(req);
  if (!(sameToken(query, token) || sameToken(cookie, token))) return 'missing or wrong token';
  return null;
}

/** The request path for a log line: no query (it carries the token), bounded, printable. */
function shownPath(req: IncomingMessage): string {
  return JSON.stringify((req.url ?? '').split('?')[0]!.slice(0, 200));
}

/**
 * Browser mode: the built renderer and the workbench API over a WebSocket, on loopback only.
 * Every request must carry the per-launch token (in the URL, or the cookie set by the first page
 * load), name a loopback `Host` with this port, and a WebSocket must come from this server's own
 * origin; anything else is refused and logged. No request, header or message can take the
 * process down (and with it the jobs it runs): a handler's error answers 400 and is logged.
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
  let hosts: ReadonlySet<string> = new Set();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const refused = refusal(req, hosts, token, false);
    if (refused) {
      log(`refused ${req.method} ${shownPath(req)} from ${req.socket.remoteAddress}: ${refused}`);
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(
        refused.startsWith('missing')
          ? 'Forbidden: open the URL printed by `biomed serve` (it carries the access token).\n'
          : `Forbidden: ${refused}.\n`,
      );
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
  };

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      const why = err instanceof BadPath ? err.message : `${(err as Error)?.message ?? String(err)}`;
      log(`bad request ${req.method} ${shownPath(req)} from ${req.socket.remoteAddress}: ${why}`);
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
        res.end('Bad request\n');
      }
    }
  });
  // Unparseable requests (bad header syntax, oversized headers): answer 400, log, keep serving.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    log(
      `bad request from ${(socket as { remoteAddress?: string }).remoteAddress ?? '?'}: ${err.code ?? err.message}`,
    );
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  wss.on('error', (err) => log(`WebSocket server error: ${err.message}`));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log(`WebSocket socket error: ${err.message}`));
    try {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const refused =
        path !== '/api' ? `no WebSocket at ${shownPath(req)}` : refusal(req, hosts, token, true);
      if (refused) {
        log(`refused WebSocket ${shownPath(req)} from ${req.socket.remoteAddress}: ${refused}`);
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch (err) {
      log(`bad WebSocket request ${shownPath(req)}: ${(err as Error)?.message ?? String(err)}`);
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    }
  });

  const reply = (ws: WebSocket, message: unknown) => {
    try {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    } catch (err) {
      log(`cannot send a reply: ${(err as Error)?.message ?? String(err)}`);
    }
  };

  const onMessage = async (ws: WebSocket, data: WebSocket.RawData) => {
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
      reply(ws, { type: 'result', id, output });
    } catch (err) {
      const error = toApiError(err);
      log(
        `API error${id === null ? '' : ` (request ${id})`}: ${error.code}: ${error.message.split('\n')[0]}`,
      );
      reply(ws, { type: 'error', id, error: error.toPayload() });
    }
  };

  wss.on('connection', (ws: WebSocket) => {
    // Without a listener, a protocol error on one socket (a bad frame, a bad close code) would be
    // thrown as an uncaught 'error' event and end the process.
    ws.on('error', (err) => log(`WebSocket error: ${err.message}`));
    const unsubscribe = opts.ctx.events.subscribe((event, payload) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const checked = eventSchemas[event].safeParse(payload);
      if (checked.success) reply(ws, { type: 'event', event, payload: checked.data });
    });
    ws.on('close', unsubscribe);
    ws.on('message', (data) => {
      onMessage(ws, data).catch((err: unknown) => log(`WebSocket handler error: ${String(err)}`));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port);
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
