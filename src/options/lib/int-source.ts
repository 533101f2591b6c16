import type { Inspection, VariableSlots } from '../matcher.js';
import type { IntOrVar } from './int-or-var.js';

/** A number written in a rule, or the byte_extract variable standing for it. */
export class IntSource {
  readonly isVar: boolean;
  private readonly n: number;

  constructor(v: IntOrVar, slots: VariableSlots) {
    this.isVar = typeof v === 'string';
    this.n = typeof v === 'string' ? slots(v) : v;
  }

  get(ins: Inspection): number {
    return this.isVar ? ins.vars[this.n]! : this.n;
  }
}
