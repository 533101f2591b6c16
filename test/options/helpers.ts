import { expect } from 'vitest';
import type { KeywordContext } from '../../src/options/keyword.js';
import { lookupKeyword } from '../../src/options/registry.js';
import { buildRuleBody, type OptionInstance, type RuleBody } from '../../src/options/rule-body.js';
import { parseRules } from '../../src/rule/index.js';

export interface Diag {
  severity: 'error' | 'warning';
  message: string;
  offset?: number;
  length?: number;
  /** For rule-body diagnostics: the option (index:keyword) or "rule". */
  at?: string;
}

export function sink(at?: string): { ctx: KeywordContext; diags: Diag[] } {
  const diags: Diag[] = [];
  const push = (severity: Diag['severity']) => (message: string, offset?: number, length?: number) => {
    const d: Diag = { severity, message };
    if (offset !== undefined) d.offset = offset;
    if (length !== undefined) d.length = length;
    if (at !== undefined) d.at = at;
    diags.push(d);
  };
  return { ctx: { error: push('error'), warning: push('warning') }, diags };
}

export function parse(keyword: string, raw: string | null): { value: unknown; diags: Diag[] } {
  const m = lookupKeyword(keyword);
  if (m === undefined) throw new Error(`no keyword ${keyword}`);
  const { ctx, diags } = sink();
  return { value: m.parse(raw, ctx), diags };
}

/** Parses and expects no diagnostics at all. */
export function ok<T = unknown>(keyword: string, raw: string | null): T {
  const { value, diags } = parse(keyword, raw);
  expect(diags).toEqual([]);
  expect(value).not.toBeUndefined();
  return value as T;
}

/** Parses and expects exactly one error; returns it. */
export function err(keyword: string, raw: string | null): Diag {
  const { value, diags } = parse(keyword, raw);
  expect(value).toBeUndefined();
  expect(diags).toHaveLength(1);
  expect(diags[0]!.severity).toBe('error');
  return diags[0]!;
}

export function print(keyword: string, value: unknown): string | null {
  return lookupKeyword(keyword)!.print(value);
}

/**
 * Splits a rule's option text (what sits between the parentheses) at each `;` outside double
 * quotes, a backslash escaping the next character. Rule sets leave some quotes inside pcre
 * patterns unescaped (`['"]`), so a `;` inside quotes still ends the option when what follows
 * looks like the next option (`keyword:`, `keyword;`) or the end of the list.
 */
const NEXT_OPTION = /^\s*(?:[A-Za-z_][A-Za-z0-9_.\-]*\s*[:;]|$)/;

export function splitOptions(body: string): Array<{ keyword: string; raw: string | null }> {
  const out: Array<{ keyword: string; raw: string | null }> = [];
  let i = 0;
  while (i < body.length) {
    while (i < body.length && /\s/.test(body[i]!)) i++;
    if (i >= body.length) break;
    let j = i;
    let inQuote = false;
    while (j < body.length) {
      const c = body[j];
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (c === '"') inQuote = !inQuote;
      else if (c === ';' && (!inQuote || NEXT_OPTION.test(body.slice(j + 1, j + 80)))) break;
      j++;
    }
    const text = body.slice(i, j);
    const colon = text.indexOf(':');
    out.push(colon < 0 ? { keyword: text.trim(), raw: null } : { keyword: text.slice(0, colon).trim(), raw: text.slice(colon + 1) });
    i = j + 1;
  }
  return out;
}

/** Parses each option of `body` (must all be known keywords) and builds the rule body. */
export function rule(body: string, withRuleCtx = true): { body: RuleBody; diags: Diag[] } {
  const diags: Diag[] = [];
  const options: OptionInstance[] = splitOptions(body).map((o, i) => {
    const m = lookupKeyword(o.keyword);
    if (m === undefined) throw new Error(`no keyword ${o.keyword}`);
    const ctx: KeywordContext = {
      error: (message, offset, length) => diags.push(clean({ severity: 'error', message, offset, length, at: `${i}:${m.keyword}` })),
      warning: (message, offset, length) => diags.push(clean({ severity: 'warning', message, offset, length, at: `${i}:${m.keyword}` })),
    };
    return { module: m, keyword: m.keyword, value: m.parse(o.raw, ctx), raw: o.raw, ctx };
  });
  const ruleCtx = withRuleCtx
    ? { error: (message: string) => diags.push({ severity: 'error', message, at: 'rule' }), warning: (message: string) => diags.push({ severity: 'warning', message, at: 'rule' }) }
    : undefined;
  return { body: buildRuleBody(options, ruleCtx), diags };
}

function clean(d: Diag): Diag {
  const out: Diag = { severity: d.severity, message: d.message };
  if (d.offset !== undefined) out.offset = d.offset;
  if (d.length !== undefined) out.length = d.length;
  if (d.at !== undefined) out.at = d.at;
  return out;
}

/** A rule body with sid and msg, so rule-level diagnostics stay out of the way. */
export const META = 'msg:"t"; sid:1;';

export function bytes(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

/** `line:col: severity: message` of every diagnostic of rules text, as `kanshi check` reports them. */
export function located(text: string): string[] {
  return parseRules(text, { file: 't.rules' }).diagnostics.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`);
}

/** The model of the one rule in `text` (which must have none of the errors that drop it). */
export function bodyOf(text: string): RuleBody {
  const body = parseRules(text, { file: 't.rules' }).rules[0]?.body;
  if (body === undefined) throw new Error(`no rule body: ${text}`);
  return body;
}
