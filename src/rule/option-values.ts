import type { KeywordContext, KeywordModule } from '../options/keyword.js';

/** One report a module made while reading a value, as it made it (offsets relative to the value). */
interface Problem {
  warning: boolean;
  message: string;
  offset: number | undefined;
  length: number | undefined;
}

/** Stands for a module's undefined (no value, nothing reported) in a table. */
const NO_VALUE = Symbol('no value');

/** A value read with diagnostics (a value read without any is stored as itself). */
class Reported {
  constructor(
    readonly value: unknown,
    readonly problems: readonly Problem[],
  ) {}
}

/** Entries per keyword before its table starts over: bounds memory on hostile or generated rule sets. */
const MAX_PER_KEYWORD = 20_000;

/**
 * Option values read once per distinct text and keyword, with the module's diagnostics replayed
 * on every later use. A large rule set repeats the same option text thousands of times
 * (`flow:established,to_server;`, `content:"|00 00|";`, `flowbits:isset,ET.http.binary;`,
 * the same metadata or reference in every rule of a family), so most options cost one map
 * lookup, and rules share one value object instead of holding a copy each.
 *
 * Sound because a module's `parse` depends on the raw text alone and its values are plain data
 * that nothing modifies after parsing (rule-body.ts and the matchers copy what they change).
 * One cache per load: a process holds no values beyond the rules that use them.
 */
export class OptionValueCache {
  private readonly byModule = new Map<KeywordModule, Map<string, unknown>>();
  private readonly texts = new Map<string, string>();

  /**
   * One string per distinct short text (header fields: `alert`, `tcp`, `$HOME_NET`, `any`, ...),
   * instead of a copy in every rule.
   */
  intern(text: string): string {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    if (this.texts.size >= MAX_PER_KEYWORD) this.texts.clear();
    this.texts.set(text, text);
    return text;
  }

  /**
   * The module's value for `raw`, its diagnostics sent to `ctx` either way.
   * Throws what the module throws (nothing is cached then).
   */
  read(module: KeywordModule, raw: string, ctx: KeywordContext): unknown {
    let table = this.byModule.get(module);
    if (table === undefined) this.byModule.set(module, (table = new Map()));
    const known = table.get(raw);
    if (known !== undefined) {
      if (known instanceof Reported) {
        replay(known.problems, ctx);
        return known.value;
      }
      return known === NO_VALUE ? undefined : known;
    }
    const recorder = new RecordingContext(ctx);
    const value = module.parse(raw, recorder);
    // A value read through the variables could differ under a later var line: read it each time.
    if (recorder.usedVariables) return value;
    if (table.size >= MAX_PER_KEYWORD) table.clear();
    table.set(raw, recorder.problems !== undefined ? new Reported(value, recorder.problems) : value === undefined ? NO_VALUE : value);
    return value;
  }
}

function replay(problems: readonly Problem[], ctx: KeywordContext): void {
  for (const p of problems) {
    if (p.warning) ctx.warning(p.message, p.offset, p.length);
    else ctx.error(p.message, p.offset, p.length);
  }
}

/** Passes reports on and keeps them for later replays. */
class RecordingContext implements KeywordContext {
  problems: Problem[] | undefined = undefined;
  usedVariables = false;
  constructor(private readonly ctx: KeywordContext) {}
  get lookupVar(): ((name: string) => string | undefined) | undefined {
    const lookup = this.ctx.lookupVar;
    if (lookup === undefined) return undefined;
    return (name) => {
      this.usedVariables = true;
      return lookup(name);
    };
  }
  error(message: string, offset?: number, length?: number): void {
    (this.problems ??= []).push({ warning: false, message, offset, length });
    this.ctx.error(message, offset, length);
  }
  warning(message: string, offset?: number, length?: number): void {
    (this.problems ??= []).push({ warning: true, message, offset, length });
    this.ctx.warning(message, offset, length);
  }
}
