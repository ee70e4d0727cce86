import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { readTrace, replayTrace } from '../../src/inspect/replay.js';
import { createTraceRecorder, type TraceEventLine, type TraceLine } from '../../src/inspect/trace.js';
import { connectWebSocketInspector } from '../../src/inspect/websocket.js';
import { NonceCache } from '../../src/peer/nonce-cache.js';
import { Peer } from '../../src/peer/peer.js';
import { PeerSupervisor } from '../../src/supervisor/supervisor.js';
import { socketPair } from '../../src/testing/socket-pair.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';

const network = bitcoinNetworks.regtest;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// Both ends live in one process: give each its own nonce record, or they would look like one node.
const own = () => ({ nonceCache: new NonceCache() });

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The machine id ('peer', 'pinger', …) or, for a callback actor, the actor id ('transport'). */
function nameOf(event: InspectionEvent): string {
  const ref = event.actorRef as unknown as { id: string; logic?: { config?: unknown } };
  const config = ref.logic?.config;
  return config && typeof config === 'object' ? (config as { id: string }).id : ref.id;
}

function kindsByName(events: InspectionEvent[]): Map<string, Set<string>> {
  const kinds = new Map<string, Set<string>>();
  for (const event of events) {
    const name = nameOf(event);
    if (!kinds.has(name)) kinds.set(name, new Set());
    kinds.get(name)!.add(event.type);
  }
  return kinds;
}

/** Two peers over an in-memory pair, handshaken; the outbound one pings every 20 ms. */
async function handshakenPair(inspect: {
  outbound?: Peer['config']['inspect'];
  inbound?: Peer['config']['inspect'];
}) {
  const [a, b] = socketPair();
  const outbound = Peer.outbound(
    { network, ...own(), pingIntervalMs: 20, ...(inspect.outbound ? { inspect: inspect.outbound } : {}) },
    '10.0.0.2:8333',
    a,
  );
  const inbound = Peer.inbound(
    { network, ...own(), ...(inspect.inbound ? { inspect: inspect.inbound } : {}) },
    b,
  );
  await waitFor(() => outbound.state === 'active' && inbound.state === 'active');
  return { outbound, inbound };
}

async function disconnect(...peers: Peer[]): Promise<void> {
  for (const peer of peers) peer.disconnect();
  await Promise.all(peers.map((peer) => peer.waitForDisconnect()));
}

// The `ws` server @statelyai/inspect itself depends on, resolved from there.
interface WsSocket {
  on(event: 'message', listener: (data: Buffer) => void): void;
}
interface WsServer {
  address(): { port: number };
  on(event: 'connection', listener: (socket: WsSocket) => void): void;
  once(event: 'listening' | 'connection', listener: () => void): void;
  close(callback?: () => void): void;
}
const { WebSocketServer } = createRequire(import.meta.resolve('@statelyai/inspect'))('ws') as {
  WebSocketServer: new (options: { host: string; port: number }) => WsServer;
};

/** A WebSocket server on loopback that keeps every message it receives, parsed. */
async function loopbackServer(): Promise<{
  url: string;
  messages: StatelyMessage[];
  close(): Promise<void>;
}> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server as never, 'listening');
  const messages: StatelyMessage[] = [];
  server.on('connection', (socket) =>
    socket.on('message', (data) => messages.push(JSON.parse(String(data)))),
  );
  return {
    url: `ws://127.0.0.1:${server.address().port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface StatelyMessage {
  type: string;
  sessionId: string;
  rootId?: string;
  name?: string;
  parentId?: string;
  definition?: string;
  event?: { type: string };
  snapshot?: { status?: string; value?: unknown };
}

function statesOf(messages: StatelyMessage[], sessionId: string): unknown[] {
  return messages
    .filter((message) => message.type === '@xstate.snapshot' && message.sessionId === sessionId)
    .map((message) => message.snapshot?.value);
}

const PEER_FAMILY = ['peer', 'transport', 'sendQueue', 'handshake', 'pinger', 'trickler', 'stallMonitor'];

describe('inspect option', () => {
  it('a Peer hands it to XState: actor, event and snapshot events of the peer and of every child', async () => {
    const events: InspectionEvent[] = [];
    const { outbound, inbound } = await handshakenPair({ outbound: (event) => events.push(event) });
    await waitFor(() => events.some((event) => event.type === '@xstate.event' && nameOf(event) === 'pinger'));
    await disconnect(outbound, inbound);

    assert.ok(
      events.every((event) => event.rootId === outbound.actor.sessionId),
      'only the inspected peer',
    );
    const kinds = kindsByName(events);
    for (const name of PEER_FAMILY) {
      for (const kind of ['@xstate.actor', '@xstate.event', '@xstate.snapshot'])
        assert.ok(kinds.get(name)?.has(kind), `${kind} for ${name}`);
    }
    const peerStates = events
      .filter((event) => event.type === '@xstate.snapshot' && event.actorRef === outbound.actor)
      .map((event) => JSON.stringify((event as unknown as { snapshot: { value: unknown } }).snapshot.value));
    assert.ok(peerStates.includes('{"open":"handshaking"}'));
    assert.ok(peerStates.some((state) => state.startsWith('{"open":{"active"')));
    assert.equal(peerStates.at(-1), '"disconnected"');
  });

  it('a PeerSupervisor hands it to its own actor and to every peer it creates', async () => {
    const events: InspectionEvent[] = [];
    const supervisor = new PeerSupervisor({
      peer: { network, ...own() },
      inspect: (event) => events.push(event),
    });
    const [remote, local] = socketPair();
    const remotePeer = Peer.outbound({ network, ...own() }, '10.0.0.2:8333', remote);
    supervisor.adopt(local);
    await waitFor(() => supervisor.peers()[0]?.state === 'active' && remotePeer.state === 'active');
    const [peer] = supervisor.peers();
    await supervisor.shutdown();
    await remotePeer.waitForDisconnect();

    const roots = new Set(events.map((event) => event.rootId));
    assert.deepEqual(roots, new Set([supervisor.actor.sessionId, peer!.actor.sessionId]));
    assert.ok(!roots.has(remotePeer.actor.sessionId));
    const kinds = kindsByName(events);
    for (const name of ['supervisor', ...PEER_FAMILY]) {
      for (const kind of ['@xstate.actor', '@xstate.event', '@xstate.snapshot'])
        assert.ok(kinds.get(name)?.has(kind), `${kind} for ${name}`);
    }
    assert.ok(
      events.some(
        (event) =>
          event.type === '@xstate.event' &&
          nameOf(event) === 'supervisor' &&
          event.event.type === 'peer.ended',
      ),
    );
  });

  it("a peer template's own inspect wins over the supervisor's for its peers", async () => {
    const supervisorEvents: InspectionEvent[] = [];
    const peerEvents: InspectionEvent[] = [];
    const supervisor = new PeerSupervisor({
      peer: { network, ...own(), inspect: (event) => peerEvents.push(event) },
      inspect: (event) => supervisorEvents.push(event),
    });
    const [remote, local] = socketPair();
    const remotePeer = Peer.outbound({ network, ...own() }, '10.0.0.2:8333', remote);
    supervisor.adopt(local);
    await waitFor(() => supervisor.peers()[0]?.state === 'active');
    await supervisor.shutdown();
    await remotePeer.waitForDisconnect();
    assert.deepEqual(new Set(supervisorEvents.map(nameOf)), new Set(['supervisor']));
    assert.ok(peerEvents.length > 0);
    assert.ok(peerEvents.every((event) => nameOf(event) !== 'supervisor'));
  });
});

describe('Stately inspector recipe (docs/inspect.md), offline on loopback', () => {
  it('createWebSocketInspector streams two handshaking peers to a local WebSocket server', async () => {
    const server = await loopbackServer();
    const inspector = createWebSocketInspector({ url: server.url });
    try {
      const { outbound, inbound } = await handshakenPair({
        outbound: inspector.inspect,
        inbound: inspector.inspect,
      });
      await disconnect(outbound, inbound);
      const sessions = [outbound.actor.sessionId, inbound.actor.sessionId];
      await waitFor(() =>
        sessions.every((session) => statesOf(server.messages, session).includes('disconnected')),
      );

      const peers = server.messages.filter(
        (message) => message.type === '@xstate.actor' && message.name === 'peer',
      );
      assert.deepEqual(peers.map((message) => message.sessionId).sort(), sessions.sort());
      const definition = JSON.parse(peers[0]!.definition!) as { id: string; states: Record<string, unknown> };
      assert.equal(definition.id, 'peer');
      assert.ok('open' in definition.states && 'disconnected' in definition.states);
      for (const session of sessions) {
        const states = statesOf(server.messages, session).map((value) => JSON.stringify(value));
        assert.ok(states.includes('{"open":"handshaking"}'), states.join(' '));
        assert.ok(
          states.some((state) => state.startsWith('{"open":{"active"')),
          states.join(' '),
        );
      }
      const names = new Set(server.messages.filter((m) => m.type === '@xstate.actor').map((m) => m.name));
      for (const name of PEER_FAMILY) assert.ok(names.has(name), `actor ${name} announced`);
      const handshakes = server.messages.filter((m) => m.type === '@xstate.actor' && m.name === 'handshake');
      for (const handshake of handshakes)
        assert.ok(statesOf(server.messages, handshake.sessionId).includes('succeeded'));
      assert.ok(
        server.messages.some((m) => m.type === '@xstate.event' && m.event?.type === 'transport.message'),
        'events are sent too',
      );
    } finally {
      inspector.stop();
      await server.close();
    }
  });

  it('a recorded trace replays into the inspector: same actors, definitions and states', async () => {
    const written: string[] = [];
    const recorder = createTraceRecorder((line) => written.push(line));
    const { outbound, inbound } = await handshakenPair({ outbound: recorder, inbound: recorder });
    await disconnect(outbound, inbound);
    const lines = readTrace(written.join('\n'));

    const server = await loopbackServer();
    try {
      const live = await connectWebSocketInspector(server.url);
      const delivered = replayTrace(lines, live.inspect);
      await live.close();
      const forwarded = lines.filter((line) => line.kind !== 'microstep').length;
      assert.equal(delivered, lines.length);
      await waitFor(() => server.messages.length === forwarded);
      const peers = server.messages.filter(
        (message) => message.type === '@xstate.actor' && message.name === 'peer',
      );
      assert.deepEqual(
        peers.map((message) => message.sessionId).sort(),
        [outbound.actor.sessionId, inbound.actor.sessionId].sort(),
      );
      assert.equal((JSON.parse(peers[0]!.definition!) as { id: string }).id, 'peer');
      const states = statesOf(server.messages, outbound.actor.sessionId).map((value) =>
        JSON.stringify(value),
      );
      assert.ok(states.some((state) => state.startsWith('{"open":{"active"')));
      assert.equal(states.at(-1), '"disconnected"');
    } finally {
      await server.close();
    }
  });

  it('connectWebSocketInspector rejects when nothing listens', async () => {
    const server = await loopbackServer();
    const { url } = server;
    await server.close();
    await assert.rejects(connectWebSocketInspector(url, { timeoutMs: 2000 }), /cannot reach the inspector/);
  });
});

function peerchart(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: repoRoot, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('peerchart --trace and trace replay', () => {
  let dir: string;
  let tracePath: string;
  let demo: { code: number; stdout: string; stderr: string };
  let lines: TraceLine[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peerchart-trace-'));
    tracePath = join(dir, 'demo.jsonl');
    demo = await peerchart(['demo', '--peers', '2', '--duration', '1', '--trace', tracePath]);
    lines = readTrace(await readFile(tracePath, 'utf8'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('demo --trace FILE records both supervisors and every peer actor, one JSON object per line', async () => {
    assert.equal(demo.code, 0, demo.stderr);
    const text = await readFile(tracePath, 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.equal(text.trimEnd().split('\n').length, lines.length);
    const created = lines.filter((line) => line.kind === 'actor');
    const count = (name: string) => created.filter((line) => (line.machine ?? line.id) === name).length;
    assert.equal(count('supervisor'), 2);
    assert.equal(count('peer'), 4, 'two dialling peers and the two the hub accepted');
    for (const name of ['transport', 'sendQueue', 'handshake', 'pinger', 'trickler', 'stallMonitor'])
      assert.equal(count(name), 4, name);
    const actives = lines.filter(
      (line) =>
        line.kind === 'snapshot' && line.machine === 'peer' && JSON.stringify(line.state).includes('active'),
    );
    assert.equal(new Set(actives.map((line) => line.actor)).size, 4, 'every peer reached active');
    const version = lines.find(
      (line): line is TraceEventLine =>
        line.kind === 'event' &&
        line.type === 'transport.message' &&
        (line.payload?.message as { command?: string })?.command === 'version',
    )!;
    const message = version.payload!.message as { nonce: unknown; addrYou: { ip: unknown } };
    assert.match(String(message.nonce), /^\d+$/, 'the bigint nonce is a decimal string');
    assert.match(String(message.addrYou.ip), /^[0-9a-f]{32}$/, 'the address bytes are hex');
    assert.ok(
      lines.every((line, index) => index === 0 || line.t >= lines[index - 1]!.t),
      'time never runs back',
    );
  });

  it('trace replay FILE --json summarises the trace', async () => {
    const result = await peerchart(['trace', 'replay', tracePath, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as {
      event: string;
      lines: number;
      actors: Record<string, number>;
    };
    assert.equal(summary.event, 'trace.summary');
    assert.equal(summary.lines, lines.length);
    assert.equal(summary.actors.peer, 4);
  });

  it('trace replay FILE prints a timeline', async () => {
    const result = await peerchart(['trace', 'replay', tracePath]);
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.trimEnd().split('\n');
    assert.equal(rows.length, lines.length);
    assert.ok(rows.some((row) => /x:\d+ peer += {2}\{"open":\{"active"/.test(row)));
  });

  it('trace replay FILE --inspect URL sends it to a WebSocket inspector', async () => {
    const server = await loopbackServer();
    try {
      const result = await peerchart(['trace', 'replay', tracePath, '--inspect', server.url]);
      assert.equal(result.code, 0, result.stderr);
      await waitFor(
        () => server.messages.length === lines.filter((line) => line.kind !== 'microstep').length,
      );
      assert.equal(server.messages.filter((m) => m.type === '@xstate.actor' && m.name === 'peer').length, 4);
    } finally {
      await server.close();
    }
  });

  it('demo --inspect URL streams live to a WebSocket inspector while --trace records the same run', async () => {
    const server = await loopbackServer();
    const path = join(dir, 'live.jsonl');
    try {
      const result = await peerchart([
        'demo',
        '--peers',
        '1',
        '--duration',
        '0',
        '--inspect',
        server.url,
        '--trace',
        path,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const recorded = readTrace(await readFile(path, 'utf8'));
      const forwarded = recorded.filter((line) => line.kind !== 'microstep').length;
      await waitFor(() => server.messages.length === forwarded);
      const names = server.messages.filter((m) => m.type === '@xstate.actor').map((m) => m.name);
      assert.deepEqual(
        names.filter((name) => name === 'supervisor' || name === 'peer'),
        recorded
          .filter(
            (line) => line.kind === 'actor' && (line.machine === 'supervisor' || line.machine === 'peer'),
          )
          .map((line) => (line as { machine: string }).machine),
      );
    } finally {
      await server.close();
    }
  });

  it('connect --trace FILE records the dialling peer', async () => {
    const listener = new PeerSupervisor({ peer: { network, ...own() } });
    const { port } = await listener.listen();
    const path = join(dir, 'connect.jsonl');
    try {
      const result = await peerchart(['connect', `127.0.0.1:${port}`, '--duration', '0', '--trace', path]);
      assert.equal(result.code, 0, result.stderr);
      const recorded = readTrace(await readFile(path, 'utf8'));
      const roots = new Set(recorded.map((line) => line.root));
      assert.equal(roots.size, 1, 'one peer, no supervisor');
      assert.ok(recorded.some((line) => line.kind === 'actor' && line.machine === 'handshake'));
      assert.ok(
        recorded.some(
          (line) => line.kind === 'snapshot' && line.machine === 'peer' && line.state === 'disconnected',
        ),
      );
    } finally {
      await listener.shutdown();
    }
  });

  it('--help documents --trace; bad input is a usage error (exit 2) or a failure (exit 1)', async () => {
    for (const command of ['demo', 'listen', 'connect']) {
      const help = await peerchart([command, '--help']);
      assert.match(help.stdout, /--trace FILE/, command);
    }
    assert.equal((await peerchart(['trace', 'replay'])).code, 2);
    assert.equal((await peerchart(['demo', '--inspect', 'http://127.0.0.1:1'])).code, 2);
    assert.equal((await peerchart(['trace', 'replay', join(dir, 'missing.jsonl')])).code, 1);
    const broken = join(dir, 'broken.jsonl');
    await writeFile(broken, 'not a trace\n{}\n');
    const result = await peerchart(['trace', 'replay', broken]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /trace line 1/);
    const unwritable = await peerchart([
      'demo',
      '--peers',
      '1',
      '--duration',
      '0',
      '--trace',
      join(dir, 'no/such/dir.jsonl'),
    ]);
    assert.equal(unwritable.code, 1);
  });
});
