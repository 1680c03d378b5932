import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

function connect(query: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`);
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
    expect(logs.some((l) => l.includes('refused GET /'))).toBe(true);
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
