import { parseAddressText } from '../rule/ip-set.js';
import { parsePortText } from '../rule/port-set.js';
import { VariableTable, VARIABLE_NAME, type VariableKind } from '../rule/variables.js';
import { UsageError } from './command.js';

/** `--var NAME=VALUE` split in two; a malformed one is a usage error. */
export function splitVarFlag(def: string): { name: string; value: string } {
  const eq = def.indexOf('=');
  const name = eq > 0 ? def.slice(0, eq) : '';
  if (!VARIABLE_NAME.test(name)) throw new UsageError(`--var expects NAME=VALUE, got '${def}'`);
  return { name, value: def.slice(eq + 1) };
}

/**
 * The default variables with the command line's `--var`s applied: `fixed` names them (a rules
 * file's var line does not override them), `overrides` keeps their text for the policy.
 */
export function variablesFromFlags(defs: readonly string[]): { vars: VariableTable; fixed: Set<string>; overrides: Map<string, string> } {
  const vars = VariableTable.withDefaults();
  const fixed = new Set<string>();
  const overrides = new Map<string, string>();
  for (const def of defs) {
    const { name, value } = splitVarFlag(def);
    const kind = vars.kind(name) ?? 'any';
    checkVarValue(name, value, kind, vars);
    vars.set(name, value, kind);
    fixed.add(name);
    overrides.set(name, value);
  }
  return { vars, fixed, overrides };
}

/** A bad --var would otherwise be reported at every rule that uses it. */
function checkVarValue(name: string, value: string, kind: VariableKind, vars: VariableTable): void {
  if (kind === 'any') return;
  const problems: string[] = [];
  const sink = { error: (m: string) => problems.push(m), warning: () => undefined };
  const probe = vars.clone();
  probe.set(name, value, kind);
  if (kind === 'ip') parseAddressText(value, probe, sink);
  else parsePortText(value, probe, sink);
  if (problems.length > 0) throw new UsageError(`--var ${name}=${value}: ${problems[0]}`);
}
