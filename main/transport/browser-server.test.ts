import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openWorkbench } from '#main/services/open';
import { type BrowserServer, startBrowserServer } from './browser-server';

let tmp: { dir: string; cleanup: () => void };
let server: BrowserServer;
let ctx: ReturnType<typeof openWorkbench>;
const logs: string[] = [];

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-server-'));
  tmp = { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  const rendererDir = join(tmp.dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>wb</title>');
  ctx = openWorkbench(join(tmp.dir, 'home'), 'browser');
  server = await startBrowserServer({ ctx, rendererDir, log: (l) => logs.push(l) });
});
afterEach(async () => {
  await server.close();
  ctx.close();
  tmp.cleanup();
});

function connect(query: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (m.type === 'event') return;
      ws.off('message', onMessage);
      resolve(m);
    };
    ws.on('message', onMessage);
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

describe('browser-mode server', () => {
  it('serves the app only with the token and logs refusals', async () => {
    const without = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(without.status).toBe(403);
    expect(logs.some((l) => l.includes('refused GET "/"'))).toBe(true);
    const wrong = await fetch(`http://127.0.0.1:${server.port}/?token=nope`);
    expect(wrong.status).toBe(403);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await ok.text()).toContain('<title>wb</title>');
  });

  it('refuses a WebSocket without the token', async () => {
    await expect(connect('')).rejects.toThrow(/403/);
    expect(logs.some((l) => l.includes('refused WebSocket'))).toBe(true);
  });

  it('answers API calls, names the bad field, and keeps the connection up', async () => {
    const ws = await connect(`?token=${server.token}`);
    const bad = await call(ws, { id: 1, method: 'runs.list', input: { limit: 'ten' } });
    expect(bad).toMatchObject({ type: 'error', id: 1, error: { code: 'invalid_input', field: 'limit' } });
    const junk = await call(ws, '{not json');
    expect(junk).toMatchObject({ type: 'error', error: { code: 'invalid_input' } });
    const unknown = await call(ws, { id: 2, method: 'runs.explode', input: {} });
    expect(unknown).toMatchObject({ type: 'error', id: 2, error: { field: 'method' } });
    const good = await call(ws, { id: 3, method: 'runs.list', input: {} });
    expect(good).toMatchObject({ type: 'result', id: 3, output: { total: 0, runs: [] } });
    ws.close();
  });

  it('pushes run changes as events', async () => {
    const ws = await connect(`?token=${server.token}`);
    const exp = ctx.store.experiments.insert({ name: 'e', kind: 'finetune', config: {} });
    const run = ctx.store.runs.insert({
      experimentId: exp.id,
      name: 'r',
      scale: 'cpu-xs',
      task: 'vqa',
      datasetId: null,
      config: {},
    });
    const event = new Promise<Record<string, unknown>>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as Record<string, unknown>;
        if (m.type === 'event') resolve(m);
      }),
    );
    const reply = await call(ws, {
      id: 4,
      method: 'runs.setNote',
      input: { id: run.id, note: 'lr too high' },
    });
    expect(reply).toMatchObject({ type: 'result', output: { note: 'lr too high' } });
    expect(await event).toMatchObject({
      event: 'onDidChangeRun',
      payload: { runId: run.id, kind: 'updated' },
    });
    ws.close();
  });
});

/** A raw HTTP/1.1 request (any path and headers, however broken); resolves with the status line. */
function raw(text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect(server.port, '127.0.0.1', () => socket.end(text));
    let got = '';
    socket.on('data', (d) => {
      got += String(d);
    });
    socket.on('error', () => resolve(got.split('\r\n')[0] ?? ''));
    socket.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
  });
}

/** GET `path` with these headers (Host included), through Node's client. */
function get(path: string, headers: Record<string, string>): Promise<number> {
  return getBody(path, headers).then((r) => r.status);
}

function getBody(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: server.port, path, headers, setHost: false };
    const req = httpRequest(options, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += String(d);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hostile requests, headers and messages never take the server down', () => {
  const host = () => `127.0.0.1:${server.port}`;
  const alive = async () => expect((await fetch(server.url)).status).toBe(200);

  it('a malformed percent-escape with a valid token answers 400 and is logged', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/%E0%A4%A?token=${server.token}`);
    expect(res.status).toBe(400);
    expect(logs.some((l) => /bad request GET .*malformed percent-escape/.test(l))).toBe(true);
    await alive();
  });

  it('hostile paths: 400, 403 or 404, never a crash, never a file outside the app', async () => {
    const t = `token=${server.token}`;
    const paths = [
      '/%',
      '/%%',
      '/%zz',
      '/%00',
      '/a%00b',
      '/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      `/${'a'.repeat(6000)}`,
      '//',
      '/\\..\\..\\etc\\passwd',
      '/%E0%A4%A.js',
      '/%ED%A0%80',
      '/index.html%',
      '/%F4%90%80%80',
    ];
    for (const p of paths) {
      const { status, body } = await getBody(`${p}?${t}`, { host: host() });
      expect([200, 400, 403, 404, 414, 431]).toContain(status);
      if (status === 200) expect(body).toBe('<!doctype html><title>wb</title>'); // the app shell only
    }
    await alive();
  });

  it('answers only loopback Host names with its port (DNS rebinding)', async () => {
    const path = `/?token=${server.token}`;
    for (const h of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      `[::1]:${server.port}`,
      `LOCALHOST:${server.port}`,
    ])
      expect(await get(path, { host: h })).toBe(200);
    for (const h of [
      'evil.example',
      `evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      '127.0.0.1',
      `127.0.0.1.evil.example:${server.port}`,
    ])
      expect(await get(path, { host: h })).toBe(403);
    expect([400, 403]).toContain(await get(path, {})); // no Host at all (Node's parser: 400)
    expect(logs.some((l) => l.includes('refused GET') && l.includes('evil.example'))).toBe(true);
  });

  it('broken request lines and headers: 400 from the parser, the server keeps serving', async () => {
    for (const text of [
      'GARBAGE\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: ${host()}\r\nBad Header\r\n\r\n`,
      `GET /?token=${server.token} HTTP/1.1\r\nHost: ${host()}\r\nX: ${'y'.repeat(20000)}\r\n\r\n`,
      `GET /%E0%A4%A?token=${server.token} HTTP/1.1\r\nHost: ${host()}\r\nCookie: =;;bw_token\r\n\r\n`,
      `GET /\u0000 HTTP/1.1\r\nHost: ${host()}\r\n\r\n`,
    ])
      expect(await raw(text)).toMatch(/^HTTP\/1\.1 (400|403|431)/);
    await alive();
  });

  it('a WebSocket from another origin or Host is refused; the own origin connects', async () => {
    await expect(connect(`?token=${server.token}`, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(
      connect(`?token=${server.token}`, { origin: `http://127.0.0.1:${server.port + 1}` }),
    ).rejects.toThrow(/403/);
    await expect(
      connect(`?token=${server.token}`, { headers: { host: `evil.example:${server.port}` } }),
    ).rejects.toThrow(/403/);
    expect(logs.some((l) => /refused WebSocket .*Origin "http:\/\/evil\.example"/.test(l))).toBe(true);
    const ws = await connect(`?token=${server.token}`, { origin: `http://localhost:${server.port}` });
    expect(await call(ws, { id: 1, method: 'runs.list', input: {} })).toMatchObject({
      type: 'result',
      id: 1,
    });
    ws.close();
  });

  it('hostile messages and frames: an error reply or a closed socket, never a crash', async () => {
    const ws = await connect(`?token=${server.token}`);
    for (const m of [
      'null',
      '[]',
      '1e999',
      '{"id": "x"}',
      '{"id": 1, "method": {}}',
      '{"id": 2, "method": "__proto__", "input": {}}',
      '{"id": 3, "method": "datasets.import", "input": {"path": "/%E0%A4%A"}}',
      '{"id": 4, "method": "constructor", "input": null}',
      JSON.stringify({ id: 5, method: 'runs.list', input: { limit: 1e308 } }),
      '\u0000',
    ])
      expect(await call(ws, m)).toMatchObject({ type: 'error' });
    ws.close();
    // A frame with an invalid close code and one with invalid UTF-8 text: the server closes that
    // socket (protocol error) and goes on.
    for (const frame of [
      Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe7]),
      Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]),
    ]) {
      const bad = await connect(`?token=${server.token}`);
      const closed = new Promise((resolve) => bad.on('close', resolve));
      bad.on('error', () => undefined);
      (bad as unknown as { _socket: { write(b: Buffer): void } })._socket.write(frame);
      await closed;
    }
    expect(logs.some((l) => l.startsWith('WebSocket error'))).toBe(true);
    await alive();
    const again = await connect(`?token=${server.token}`);
    expect(await call(again, { id: 9, method: 'runs.list', input: {} })).toMatchObject({ type: 'result' });
    again.close();
  });
});
