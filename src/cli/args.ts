import { UsageError } from './command.js';

/** A flag a subcommand accepts: boolean, or taking a value (`--var X=1` or `--var=X=1`), maybe repeated. */
export interface FlagSpec {
  name: string;
  takesValue: boolean;
}

export interface ParsedArgs {
  flags: Map<string, string[]>;
  positionals: string[];
}

/** Parses `--flag`, `--flag value`, `--flag=value` and `--` (end of flags); unknown flags are usage errors. */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option '${name}'`);
    let value = 'true';
    if (spec.takesValue) {
      if (eq >= 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i]!;
      else throw new UsageError(`${name} needs a value`);
    } else if (eq >= 0) throw new UsageError(`${name} takes no value`);
    const list = flags.get(name) ?? [];
    list.push(value);
    flags.set(name, list);
  }
  return { flags, positionals };
}
