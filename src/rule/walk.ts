import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeFsError } from '../types/fs-error.js';

export interface WalkedDirectory {
  /** Regular files under the directory, sorted by name at each level. */
  files: string[];
  /** What could not be read (a directory without permission, a broken link), and why. */
  problems: Array<{ path: string; reason: string }>;
  /** Entries that are neither files nor directories (FIFOs, sockets, devices): never opened from a walk. */
  special: string[];
}

/**
 * The files under a directory, for the rules, policies, captures and logs a user names by their
 * folder. Symbolic links are followed (a rules folder of links into a shared checkout is common),
 * each real directory once, so a link loop ends. A subdirectory that cannot be read is reported and
 * the rest is walked: one unreadable folder must not hide the others. A FIFO met on the way is
 * listed apart and not opened, since opening one blocks until something writes to it.
 */
export function walkDirectory(dir: string): WalkedDirectory {
  const out: WalkedDirectory = { files: [], problems: [], special: [] };
  const seen = new Set<string>();
  const visit = (d: string): void => {
    let real: string;
    try {
      real = realpathSync(d);
    } catch (e) {
      out.problems.push({ path: d, reason: describeFsError(e) });
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try {
      names = readdirSync(d).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (e) {
      out.problems.push({ path: d, reason: describeFsError(e) });
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      let st;
      try {
        st = statSync(p);
      } catch (e) {
        out.problems.push({ path: p, reason: describeFsError(e) });
        continue;
      }
      if (st.isDirectory()) visit(p);
      else if (st.isFile()) out.files.push(p);
      else out.special.push(p);
    }
  };
  visit(dir);
  return out;
}
