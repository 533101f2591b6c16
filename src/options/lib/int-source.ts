import type { Inspection, VariableSlots } from '../matcher.js';
import type { IntOrVar } from './int-or-var.js';

/**
 * A number written in a rule, or the byte_extract variable standing for it. Suricata keeps
 * variables as unsigned 64-bit numbers, and each use converts them its own way: `get` is the
 * value itself (exact below 2^53), `int32` its low 32 bits read as a signed int (offsets,
 * distances and byte counts), `uint32` the same bits unsigned.
 */
export class IntSource {
  readonly isVar: boolean;
  private readonly n: number;

  constructor(v: IntOrVar, slots: VariableSlots) {
    this.isVar = typeof v === 'string';
    this.n = typeof v === 'string' ? slots(v) : v;
  }

  get(ins: Inspection): number {
    return this.isVar ? ins.varValue(this.n) : this.n;
  }

  int32(ins: Inspection): number {
    return this.isVar ? ins.varLo[this.n]! | 0 : this.n;
  }

  uint32(ins: Inspection): number {
    return this.isVar ? ins.varLo[this.n]! : this.n;
  }

  /** The exact value (a number written in a rule is a whole number). */
  exact(ins: Inspection): bigint {
    return this.isVar ? ins.varExact(this.n) : BigInt(this.n);
  }
}
