import { allStates, type Chart, type ChartState, stateDetails, transitionLabel } from './graph.js';

// Words Mermaid's state-diagram lexer treats specially; a state id equal to one gets a suffix.
const RESERVED = new Set(['state', 'note', 'end', 'as', 'direction', 'class', 'classdef', 'style', 'hide']);

/**
 * A Mermaid `stateDiagram-v2` of the chart. The root machine is drawn as an outer composite state so
 * that its own invokes and handlers have a box to be listed on. Transitions are written last, at the
 * top level, after every state is declared: Mermaid creates a state where an id is first seen, so
 * an edge written inside a composite would otherwise pull a not-yet-declared target into it.
 */
export function toMermaid(chart: Chart, header: readonly string[] = []): string {
  const ids = mermaidIds(chart.root);
  const idOf = (id: string): string => ids.get(id) ?? id;
  const lines: string[] = ['stateDiagram-v2', ...header.map((line) => `  %% ${text(line)}`)];
  const notes: string[] = [];

  const declare = (state: ChartState, indent: string): void => {
    const id = idOf(state.id);
    const details = stateDetails(state);
    if (state.children.length === 0) {
      lines.push(`${indent}state "${label(state)}" as ${id}`);
      for (const detail of details) lines.push(`${indent}${id} : ${text(detail)}`);
      return;
    }
    lines.push(`${indent}state "${label(state)}" as ${id} {`);
    const inner = `${indent}  `;
    for (const initial of state.initial) lines.push(`${inner}[*] --> ${idOf(initial)}`);
    state.children.forEach((child, index) => {
      // Regions of a parallel state are separated by `--`.
      if (state.kind === 'parallel' && index > 0) lines.push(`${inner}--`);
      declare(child, inner);
    });
    for (const child of state.children) {
      if (child.kind === 'final') lines.push(`${inner}${idOf(child.id)} --> [*]`);
    }
    lines.push(`${indent}}`);
    // Composite states take no description lines, so their details go in a note. Mermaid hoists
    // notes to the top level anyway, so they are written there.
    if (details.length > 0) {
      notes.push(`  note right of ${id}`, ...details.map((detail) => `    ${text(detail)}`), '  end note');
    }
  };

  declare(chart.root, '  ');
  lines.push(...notes);
  for (const transition of chart.transitions) {
    for (const target of transition.targets) {
      lines.push(`  ${idOf(transition.source)} --> ${idOf(target)} : ${text(transitionLabel(transition))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Mermaid ids are plain words: dots and other punctuation become `_`, with a suffix on a clash. */
function mermaidIds(root: ChartState): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const state of allStates(root)) {
    let base = state.id.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base) || RESERVED.has(base.toLowerCase())) base = `s_${base}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(state.id, id);
  }
  return ids;
}

function label(state: ChartState): string {
  const name =
    state.kind === 'history' ? `${state.key} (${state.history === 'deep' ? 'H*' : 'H'})` : state.key;
  return name.replace(/"/g, '#quot;');
}

/** `;` ends a Mermaid statement and a newline ends a line, even inside a label. */
function text(value: string): string {
  return value.replace(/[;\r\n]+/g, ',');
}
