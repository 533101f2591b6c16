/**
 * Sorted, disjoint, inclusive integer ranges as flat [start0, end0, start1, end1, ...] arrays.
 * Generic over number (IPv4, ports) and bigint (IPv6); only set construction uses these,
 * lookups use the packed forms in ip-set.ts and port-set.ts.
 */
export type Ranges<T extends number | bigint> = T[];

export function normalize<T extends number | bigint>(r: Ranges<T>, one: T): Ranges<T> {
  const pairs: Array<[T, T]> = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: T[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    // Merge overlapping and adjacent ranges: (end + 1) >= start.
    if (n > 0 && (out[n - 1]! as bigint) + (one as bigint) >= (s as bigint)) {
      if (e > out[n - 1]!) out[n - 1] = e;
    } else out.push(s, e);
  }
  return out;
}

export function union<T extends number | bigint>(a: Ranges<T>, b: Ranges<T>, one: T): Ranges<T> {
  return normalize([...a, ...b], one);
}

/** a minus b; both normalized. */
export function subtract<T extends number | bigint>(a: Ranges<T>, b: Ranges<T>, one: T): Ranges<T> {
  const out: T[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i]!;
    const e = a[i + 1]!;
    while (j < b.length && b[j + 1]! < s) j += 2;
    let k = j;
    let alive = true;
    while (k < b.length && b[k]! <= e) {
      const bs = b[k]!;
      const be = b[k + 1]!;
      if (bs > s) out.push(s, ((bs as bigint) - (one as bigint)) as T);
      if (be >= e) {
        alive = false;
        break;
      }
      s = ((be as bigint) + (one as bigint)) as T;
      k += 2;
    }
    if (alive) out.push(s, e);
  }
  return out;
}

export function unionAll<T extends number | bigint>(sets: ReadonlyArray<Ranges<T>>, one: T): Ranges<T> {
  if (sets.length === 1) return sets[0]!;
  return normalize(sets.flat() as T[], one);
}
