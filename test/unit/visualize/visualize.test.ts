import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { and, not, setup } from 'xstate';
import { handshakeMachine } from '../../../machines/handshake.machine.js';
import { toDot } from '../../../src/visualize/dot.js';
import { generateAll, MACHINES, renderSvg } from '../../../src/visualize/generate.js';
import { chartOf } from '../../../src/visualize/graph.js';
import { findStale } from '../../../src/visualize/main.js';
import { toMermaid } from '../../../src/visualize/mermaid.js';

let files: Map<string, string>;

before(async () => {
  files = await generateAll();
});

function file(name: string): string {
  const content = files.get(name);
  assert.ok(content !== undefined, `${name} is generated`);
  return content;
}

/** Mermaid ids declared with `state "…" as id`, and the ends of every `a --> b` line. */
function mermaidShape(text: string): { declared: Set<string>; ends: string[] } {
  const declared = new Set([...text.matchAll(/^\s*state "[^"]*" as (\w+)/gm)].map((match) => match[1]!));
  const ends = [...text.matchAll(/^\s*(\S+) --> (\S+)/gm)].flatMap((match) => [match[1]!, match[2]!]);
  return { declared, ends };
}

describe('visualizations/', () => {
  it('is up to date: run `npm run visualize` after changing a machine', async () => {
    const { stale, extra } = await findStale(files);
    assert.deepEqual({ stale, extra }, { stale: [], extra: [] });
  });

  it('has a .mmd, .svg and .json per machine, and the README', () => {
    const expected = MACHINES.flatMap(({ name }) => [`${name}.mmd`, `${name}.svg`, `${name}.json`]);
    assert.deepEqual([...files.keys()].sort(), [...expected, 'README.md'].sort());
  });

  it('generates byte-identical output twice (SVG included)', async () => {
    const again = await generateAll();
    assert.deepEqual([...again.keys()], [...files.keys()]);
    for (const [name, content] of again)
      assert.equal(content, files.get(name), `${name} differs between runs`);
  });
});

describe('machine pictures', () => {
  it('shows the peer lifecycle states', () => {
    const peer = file('peer.mmd');
    assert.match(peer, /^stateDiagram-v2\n/);
    for (const key of ['open', 'idle', 'connecting', 'handshaking', 'active', 'listening', 'disconnecting']) {
      assert.match(peer, new RegExp(`state "${key}" as \\w+`), `${key} in peer.mmd`);
      assert.ok(file('peer.svg').includes(`>${key}<`), `${key} in peer.svg`);
    }
    assert.match(peer, /peer_disconnected --> \[\*\]/, 'disconnected is final');
    assert.match(peer, /\[\*\] --> peer_open_idle/, 'idle is the initial state of open');
  });

  it('labels transitions with event, [guard], / actions and after(delay), and notes invokes', () => {
    const peer = file('peer.mmd');
    assert.match(
      peer,
      /peer_open_handshaking --> peer_open_active : xstate\.done\.actor\.handshake \[handshakeSucceeded\] \/ applyHandshake, deliverEarlyMessages/,
    );
    assert.match(
      peer,
      /peer_open_handshaking --> peer_disconnecting : after\(handshakeTimeout\) \/ setReason\(handshake-timeout/,
    );
    assert.match(peer, /peer_open_handshaking : invoke handshake/);
    assert.match(peer, /note right of peer_open_active\n(\s+.*\n)*?\s+invoke pinger\n/);
  });

  it('shows every guard of the handshake machine, and its always transitions', () => {
    const handshake = file('handshake.mmd');
    const guards = Object.keys(handshakeMachine.implementations.guards);
    assert.ok(guards.length > 5);
    for (const guard of guards) assert.ok(handshake.includes(`[${guard}]`), `[${guard}] in handshake.mmd`);
    // toJSON() drops `always`; the walk over machine.root must not.
    assert.match(handshake, /handshake_starting --> handshake_sendingVersion : always \[isOutbound\]/);
  });

  for (const { name, machine } of MACHINES) {
    it(`${name}: every named delay and invoked actor appears, every edge joins declared states`, () => {
      const mermaid = file(`${name}.mmd`);
      const used = JSON.stringify(machine.toJSON());
      for (const delay of Object.keys(machine.implementations.delays)) {
        if (used.includes(`"delay":"${delay}"`)) assert.ok(mermaid.includes(`after(${delay})`), delay);
      }
      for (const src of [...used.matchAll(/"src":"([^"]+)"/g)].map((match) => match[1]!)) {
        const pattern = src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        assert.match(mermaid, new RegExp(`invoke (${pattern}\\b|\\w+ \\(${pattern}\\))`), `invoke ${src}`);
      }
      const { declared, ends } = mermaidShape(mermaid);
      for (const end of ends)
        assert.ok(end === '[*]' || declared.has(end), `${end} is declared in ${name}.mmd`);
      assert.deepEqual(JSON.parse(file(`${name}.json`)), JSON.parse(JSON.stringify(machine.toJSON())));
      assert.match(file(`${name}.svg`), /^<\?xml[\s\S]*<\/svg>\n$/);
    });
  }

  it('README shows each SVG and its Mermaid source, with a legend', () => {
    const readme = file('README.md');
    assert.match(readme, /## Legend/);
    for (const { name } of MACHINES) {
      assert.ok(readme.includes(`![${name} statechart](${name}.svg)`), `${name}.svg linked`);
      assert.ok(readme.includes(`\`\`\`mermaid\n${file(`${name}.mmd`)}\`\`\``), `${name}.mmd inlined`);
    }
  });
});

describe('renderers on a synthetic chart', () => {
  const machine = setup({
    guards: { ready: () => true, blocked: () => false },
    actions: { log: () => {} },
    delays: { settle: 250 },
  }).createMachine({
    id: 'demo',
    initial: 'main',
    states: {
      main: {
        type: 'parallel',
        states: {
          left: {
            initial: 'a',
            states: {
              a: { after: { 500: 'b', settle: { target: 'b', actions: { type: 'log', params: { n: 1 } } } } },
              b: { on: { go: { guard: and(['ready', not('blocked')]), target: '#demo.done' } } },
              hist: { type: 'history', history: 'deep' },
            },
          },
          right: { initial: 'c', states: { c: { always: { guard: 'ready', actions: 'log' } } } },
        },
        on: { reset: { target: 'main', reenter: true } },
      },
      done: { type: 'final' },
    },
  });
  const chart = chartOf(machine);

  it('Mermaid: parallel regions, literal and constant delays, combined guards, history', () => {
    const mermaid = toMermaid(chart);
    assert.match(mermaid, /state "main" as demo_main \{\n(.*\n)*?\s+--\n/, 'regions separated by --');
    assert.match(mermaid, /demo_main_left_a --> demo_main_left_b : after\(500ms\)\n/);
    assert.match(mermaid, /demo_main_left_a --> demo_main_left_b : after\(settle = 250ms\) \/ log\(1\)\n/);
    assert.match(mermaid, /demo_main_left_b --> demo_done : go \[and\(ready, !blocked\)\]\n/);
    assert.match(
      mermaid,
      /demo_main_right_c : always \[ready\] \/ log\n/,
      'targetless always listed in place',
    );
    assert.match(mermaid, /state "hist \(H\*\)" as demo_main_left_hist/);
    assert.match(mermaid, /demo_main --> demo_main : reset\n/);
  });

  it('DOT: clusters with border-clipped edges render without Graphviz warnings', async () => {
    const dot = toDot(chart);
    assert.match(dot, /subgraph "cluster:demo\.main\.left" \{\n\s+graph \[[^\]]*style="dashed,rounded"/);
    assert.match(dot, /"state:demo\.main\.left\.b" -> "state:demo\.done"/);
    assert.match(dot, /"anchor:demo\.main" -> "anchor:demo\.main" \[label="reset\\l"\]/);
    assert.match(dot, /"state:demo\.done" \[[^\]]*peripheries=2/);
    const svg = await renderSvg(dot);
    assert.ok(svg.includes('after(settle = 250ms) / log(1)'));
    assert.equal(await renderSvg(dot), svg);
  });
});

describe('findStale', () => {
  let directory: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'peerchart-visualize-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reports changed, missing and left-over files, and ignores files it does not generate', async () => {
    const wanted = new Map([
      ['a.mmd', 'a\n'],
      ['b.svg', 'b\n'],
      ['c.json', 'c\n'],
    ]);
    await writeFile(join(directory, 'a.mmd'), 'a\n');
    await writeFile(join(directory, 'b.svg'), 'old\n');
    await writeFile(join(directory, 'gone.json'), '{}\n');
    await writeFile(join(directory, 'notes.txt'), 'kept\n');
    assert.deepEqual(await findStale(wanted, directory), {
      stale: ['b.svg', 'c.json'],
      extra: ['gone.json'],
    });
  });
});
