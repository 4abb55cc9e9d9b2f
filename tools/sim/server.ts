/**
 * The simulator's web face on 127.0.0.1: the page and its two scripts from
 * tools/sim/public (shipped in the package as dist/tools/sim/public), the
 * live event stream as server-sent events (GET /events), and the page's
 * actions as JSON POSTs (/api/<action>). Nothing is fetched from elsewhere:
 * the page works offline.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { isHalError } from '../../hal/errors';
import type { Charge } from '../../src/authorization/charge';
import { DomainRefusal } from '../authorizer/domain/results';
import { closeServer, renderScreen } from './phone';
import { Sim, SimError } from './sim';

const publicDir = fileURLToPath(new URL('./public/', import.meta.url));
const files: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export interface RunningSimServer {
  url: string;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;

/** The page's buttons: each names an action and sends its arguments as JSON. */
function actions(sim: Sim): Record<string, (body: Body) => Promise<unknown>> {
  const amountOf = (value: unknown): number => {
    const amount = Number(value);
    if (!(Number.isSafeInteger(amount) && amount >= 1)) throw new SimError(`amount must be a whole number of cents, 1 or more, got ${JSON.stringify(value)}`);
    return amount;
  };
  const requestIdOf = (value: unknown): number => {
    const id = Number(value);
    if (!(Number.isSafeInteger(id) && id >= 1)) throw new SimError(`requestId must be a request number, got ${JSON.stringify(value)}`);
    return id;
  };
  return {
    charge: async (body) => {
      sim.startCharge(sim.station(body.terminal), { amount: amountOf(body.amount), ...(typeof body.purpose === 'string' ? { purpose: body.purpose as Charge['purpose'] } : {}) });
      return { started: true };
    },
    show: async (body) => {
      const station = sim.station(body.terminal);
      if (body.screenshot === undefined) {
        station.show(renderScreen(sim.phone.code.text), 'the live code');
        return { shown: 'live' };
      }
      const shot = sim.phone.screenshots.find((s) => s.id === Number(body.screenshot));
      if (!shot) throw new SimError(`no screenshot ${String(body.screenshot)}`);
      station.show(renderScreen(shot.text), `screenshot ${shot.id}`);
      return { shown: shot.id };
    },
    'take-away': async (body) => {
      const station = sim.station(body.terminal);
      station.scene.clear();
      sim.bus.state('camera-view', station.name, { holding: false });
      return { cleared: true };
    },
    screenshot: async () => sim.phone.screenshot(),
    'step-up-answer': async (body) => sim.phone.answer(body.confirm === true),
    operator: async (body) => {
      const operator = sim.operator;
      const action = body.action;
      let result: unknown;
      switch (action) {
        case 'freeze':
          result = await operator.freeze(String(body.account ?? sim.phone.account), String(body.reason ?? 'frozen by the operator'));
          break;
        case 'unfreeze':
          result = await sim.unfreeze(String(body.account ?? sim.phone.account));
          break;
        case 'release':
        case 'reverse':
          await operator.review(requestIdOf(body.requestId), action);
          result = action === 'release' ? 'released' : 'reversed';
          break;
        case 'refund':
        case 'void': {
          const requestId = requestIdOf(body.requestId);
          result = await operator.instruct({
            action, requestId, reference: String(body.reference ?? `sim-${action}-${requestId}-${Date.now()}`), ...(action === 'refund' ? { amount: amountOf(body.amount) } : {}),
          });
          break;
        }
        case 'report':
          result = await operator.report(requestIdOf(body.requestId), String(body.note ?? 'reported to the operator'));
          break;
        default:
          throw new SimError(`no operator action ${JSON.stringify(action)} (freeze, unfreeze, release, reverse, refund, void, report)`);
      }
      sim.bus.emit('operator-act', { action, requestId: body.requestId ?? null, account: body.account ?? null, result });
      await sim.refreshOperator();
      return result;
    },
    scenario: async (body) => {
      const id = String(body.id);
      // Answers at once: a scenario may wait for the customer (a step-up); its end is on the event stream.
      sim.scenario(id).catch(() => undefined);
      return { started: id };
    },
    control: async (body) => {
      const station = sim.station(body.terminal);
      if (body.network === 'up' || body.network === 'down') {
        station.network = body.network;
        if (body.network === 'up' && !station.busy) await station.terminal.settle();
      }
      if (body.delayMs !== undefined) station.delayMs = Math.max(0, Number(body.delayMs) || 0);
      if (body.clockOffset !== undefined) station.clockOffset = Number(body.clockOffset) || 0;
      if (body.gnss === 'sky' || body.gnss === 'no-sky' || body.gnss === 'off-site') station.setGnss(body.gnss);
      return { ok: true };
    },
  };
}

export async function startSimServer(sim: Sim, port = 0): Promise<RunningSimServer> {
  const handlers = actions(sim);
  const streams = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      if (!response.headersSent) json(response, 500, { error: (error as Error).message });
      else response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && files[path]) {
      const { file, type } = files[path];
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(await readFile(join(publicDir, file)));
      return;
    }
    if (request.method === 'GET' && path === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      const write = (event: unknown) => response.write(`data: ${JSON.stringify(event)}\n\n`);
      for (const event of sim.bus.snapshot()) write(event);
      const off = sim.bus.subscribe(write);
      streams.add(response);
      request.on('close', () => {
        off();
        streams.delete(response);
      });
      return;
    }
    const action = /^\/api\/([a-z-]+)$/.exec(path);
    if (action && request.method === 'POST') {
      const handler = Object.prototype.hasOwnProperty.call(handlers, action[1]) ? handlers[action[1]] : undefined;
      if (!handler) return json(response, 404, { error: `no action ${action[1]}` });
      let body: Body;
      try {
        const text = await readText(request);
        body = text ? (JSON.parse(text) as Body) : {};
      } catch {
        return json(response, 400, { error: 'send a JSON object' });
      }
      try {
        json(response, 200, { ok: true, result: await handler(body) });
      } catch (error) {
        const known = error instanceof SimError || error instanceof DomainRefusal || error instanceof RangeError || isHalError(error);
        json(response, known ? 409 : 500, { ok: false, error: (error as Error).message });
        if (!known) sim.bus.emit('log', { text: `action ${action[1]} failed: ${(error as Error).message}` });
      }
      return;
    }
    json(response, 404, { error: 'not found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: async () => {
      for (const stream of streams) stream.end();
      await closeServer(server);
    },
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readText(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error('too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
