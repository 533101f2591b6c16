import type { KeywordModule } from '../keyword.js';
import { bareKeyword, type Bare } from '../lib/factories.js';
import { FACT_ADDRS } from '../matcher.js';

/** `sameip;` the source and destination addresses are equal. */
export const sameip: KeywordModule<Bare> = {
  ...bareKeyword('sameip', 'non-payload', { singleUse: true }),
  condition: () => ({
    needs: FACT_ADDRS,
    test: (h) => {
      const a = h.src;
      const b = h.dst;
      if (a === null || b === null || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    },
  }),
};
