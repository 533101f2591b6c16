/** What the benchmark modules share: child-process arguments and the machine-speed probe. */

/** This process's Node options (the TypeScript loader among them), minus inline code to run. */
export function childExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--eval=') && !a.startsWith('--print=') && !a.startsWith('--input-type')) out.push(a);
  }
  return out;
}

/**
 * The time of a fixed loop of integer arithmetic over a typed array: the machine is shared and
 * its speed drifts (this loop took from 350 to 830 ms within one day), so figures are printed
 * beside the speed the machine had just before they were taken.
 */
export function machineProbeMs(): number {
  const t0 = performance.now();
  let x = 0;
  const a = new Int32Array(1 << 16);
  for (let r = 0; r < 3000; r++) {
    for (let i = 0; i < a.length; i++) {
      a[i] = (a[i]! * 31 + i + r) | 0;
      x ^= a[i]!;
    }
  }
  return Math.round(performance.now() - t0) + (x & 0);
}

/** The middle value (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/**
 * The smallest value: on a shared machine others' load only ever adds time, so the fastest of
 * several runs is the closest to what the code itself costs; it is printed beside the median.
 */
export function fastest(xs: readonly number[]): number {
  return Math.min(...xs);
}
