import { describe, expect, it } from 'vitest';
import { detectLogFormat } from '../../src/logs/index.js';

describe('W3C extended log detection', () => {
  it('trusts the #Fields directive over per-line scores, whatever the column order', () => {
    const header = [
      '#Software: Microsoft Internet Information Services 5.0',
      '#Version: 1.0',
      '#Date: 2003-03-17 00:00:00',
      '#Fields: time c-ip cs-method cs-uri-stem cs-uri-query sc-status',
    ];
    const data = Array.from({ length: 20 }, (_, i) => `00:0${i % 10}:00 10.0.0.${i} GET /scripts/root.exe /c+dir 404`);
    expect(detectLogFormat([...header, ...data])).toBe('iis');
  });

  it('does not call a syslog file W3C because of an ordinary line', () => {
    const lines = ['Mar 17 10:00:00 host sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2'];
    expect(detectLogFormat(lines)).not.toBe('iis');
  });
});
