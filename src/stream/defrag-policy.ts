/**
 * Overlap policies for IP fragment reassembly: which copy of a byte wins when two fragments
 * of one datagram both carry it. Attackers send overlapping fragments with different data so
 * that a sensor and its targets rebuild different datagrams; the policy should match the
 * targets (Novak, "Target-Based Fragmentation Reassembly", 2005; the same names as Snort's
 * frag3 and Suricata's defrag).
 *
 * Each policy is a rule between the fragment arriving now (`new`) and the fragment currently
 * owning an overlapped byte (`old`); fragments are applied in arrival order:
 * - first:   old always wins (the first-arrived data; most Windows and BSD stacks of 2003).
 * - last:    new always wins (the last-arrived data; Cisco IOS and some printers).
 * - bsd:     new wins only if it starts before old; on equal starts old wins. This is the
 *            pairwise summary only: the defragmenter applies bsd as Suricata's DefragInsertFrag
 *            does, trimming on arrival against the neighbouring held fragments' trimmed starts
 *            (defrag.ts trimBsd), which differs when more than two fragments overlap.
 * - linux:   new wins if it starts before or at the same offset as old.
 * - windows: new wins only if it starts before old and ends after it.
 * - solaris: new wins only if it starts before old and ends at or after its end.
 */
export const DEFRAG_POLICIES = ['first', 'last', 'bsd', 'linux', 'windows', 'solaris'] as const;
export type DefragPolicy = (typeof DEFRAG_POLICIES)[number];

export function isDefragPolicy(name: string): name is DefragPolicy {
  return (DEFRAG_POLICIES as readonly string[]).includes(name);
}

/** Does the newly arrived fragment [newStart, newEnd) take a byte from the owner [oldStart, oldEnd)? */
export function newFragmentWins(
  policy: DefragPolicy,
  newStart: number,
  newEnd: number,
  oldStart: number,
  oldEnd: number,
): boolean {
  switch (policy) {
    case 'first':
      return false;
    case 'last':
      return true;
    case 'bsd':
      return newStart < oldStart;
    case 'linux':
      return newStart <= oldStart;
    case 'windows':
      return newStart < oldStart && newEnd > oldEnd;
    case 'solaris':
      return newStart < oldStart && newEnd >= oldEnd;
  }
}
