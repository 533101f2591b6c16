import type { DiagnosticSink } from '../../src/rule/diagnostics.js';

export interface Reported {
  severity: 'error' | 'warning';
  message: string;
  offset: number | undefined;
  length: number | undefined;
}

/** A sink that records what it is told. */
export function recordingSink(): DiagnosticSink & { items: Reported[] } {
  const items: Reported[] = [];
  return {
    items,
    error: (message, offset, length) => items.push({ severity: 'error', message, offset, length }),
    warning: (message, offset, length) => items.push({ severity: 'warning', message, offset, length }),
  };
}

export const ip4 = (s: string): Uint8Array => Uint8Array.from(s.split('.').map(Number));

export function ip6(s: string): Uint8Array {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 255;
  });
  return out;
}
