import { describe, expect, it } from 'vitest';
import { buildRuleset, readManifest, scanSamples, sortedSids } from './helpers.js';

/**
 * The shipped rules against their samples, through the real scanner (decode, reassembly, HTTP
 * and SMTP parsing, log parsing, detection), with the variables the manifest names.
 */
const manifest = readManifest();
const ruleset = buildRuleset(manifest.vars);
const entries = Object.entries(manifest.samples);
const positives = entries.filter(([, s]) => s.expect.length > 0);
const negatives = entries.filter(([, s]) => s.expect.length === 0);

describe('positive samples trigger exactly their sids', () => {
  it.each(positives)('%s', async (file, spec) => {
    const hits = await scanSamples(ruleset, [file], manifest);
    expect(sortedSids(hits)).toEqual(spec.expect);
  });
});

describe('negative samples trigger nothing', () => {
  it.each(negatives)('%s', async (file) => {
    const hits = await scanSamples(ruleset, [file], manifest);
    expect(sortedSids(hits)).toEqual([]);
  });

  it('the whole rule set over every negative sample in one run gives zero alerts', async () => {
    const hits = await scanSamples(ruleset, negatives.map(([f]) => f), manifest);
    expect(Object.fromEntries(hits)).toEqual({});
  });

  it('no shipped pattern needs the pcre limits to stay silent on any sample', async () => {
    const counters: Record<string, number> = {};
    await scanSamples(ruleset, entries.map(([f]) => f), manifest, counters);
    expect(counters['kanshi.detect.pcre_limit']).toBe(0);
  });
});

describe('direction-aware rules', () => {
  it('with HOME_NET left at any, an outbound Slammer wave is reported as propagation, never as Emergency', async () => {
    const defaults = buildRuleset({});
    const hits = await scanSamples(defaults, ['pcap/slammer/outbound.pcap'], manifest);
    expect(sortedSids(hits)).toEqual([3100201, 3100203]);
  });

  it('with HOME_NET set, inbound Slammer is not mistaken for an infected monitored host', async () => {
    const hits = await scanSamples(ruleset, ['pcap/slammer/inbound.pcap', 'pcap/slammer/inbound-fragmented.pcap'], manifest);
    expect(hits.has(3100202)).toBe(false);
    expect(hits.get(3100201)).toBe(2);
  });
});
