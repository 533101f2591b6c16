import type { KeywordModule } from '../keyword.js';
import { classificationNames, lookupClassification } from '../lib/classifications.js';
import { closest, requireValue } from '../lib/text.js';

const NAME = /^[A-Za-z0-9_-]+$/;

/**
 * `classtype:name;` the alert's category; an unknown name is only a warning (a site's own
 * classes come from a classification.config beside its rules, see rule/classification-config.ts)
 * and the alert then gets priority 3 unless set.
 */
export const classtype: KeywordModule<string> = {
  keyword: 'classtype',
  category: 'meta',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const v = requireValue('classtype', raw, ctx, 'classtype:trojan-activity;');
    if (v === undefined) return undefined;
    if (!NAME.test(v.text)) {
      const bad = v.text.search(/[^A-Za-z0-9_-]/);
      ctx.error(`classtype "${v.text}" has a bad character: a class name is letters, digits, - and _`, v.offset + bad, 1);
      return undefined;
    }
    if (lookupClassification(v.text) === undefined) {
      const near = closest(v.text, classificationNames(), 3);
      ctx.warning(
        `unknown classtype "${v.text}": not one of the classtypes kanshi knows (those of ET Open's classification.config, Snort's standard classes included, and of a classification.config beside the rules)${near ? `; did you mean ${near}?` : ''}`,
        v.offset,
        v.text.length,
      );
    }
    return v.text;
  },
  print: (value) => value,
};
