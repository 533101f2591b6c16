/**
 * Alerts of stream rules (raw pkt_data contents) on HTTP flows carry the HTTP transaction of
 * their data's direction, with its tx_id, as Suricata 7 logs a stream match (`tx_guessed`).
 */
import { describe, expect, it } from 'vitest';
import { eveAlert } from '../../src/output/eve.js';
import { httpConversation, tcpSession } from '../../src/traffic/index.js';
import type { Alert } from '../../src/types/alert.js';
import { scanPackets } from './helpers.js';

const context = (a: Alert) => [a.sid, a.extra?.tx_id, a.http?.url, a.http?.status];

describe('stream alerts on HTTP flows', () => {
  it('carry the request being sent, with the status once the server answered', async () => {
    const rules = [
      'alert tcp any any -> any 80 (msg:"traversal"; flow:to_server,established; content:"/..%c1%1c../"; sid:1;)',
      'alert tcp any 80 -> any any (msg:"listing"; flow:to_client,established; content:"Volume in drive"; sid:2;)',
    ].join('\n');
    const s = httpConversation({
      request: { uri: '/scripts/..%c1%1c../winnt/system32/cmd.exe?/c+dir' },
      response: { status: 200, body: ' Volume in drive C has no label.' },
    });
    const alerts = await scanPackets(rules, s.packets());
    expect(alerts.map(context)).toEqual([
      [1, 0, '/scripts/..%c1%1c../winnt/system32/cmd.exe?/c+dir', 200],
      [2, 0, '/scripts/..%c1%1c../winnt/system32/cmd.exe?/c+dir', 200],
    ]);
    const rec = eveAlert(alerts[0]!);
    expect(rec.tx_id).toBe(0);
    expect(rec.tx_guessed).toBe(true);
    expect((rec.http as Record<string, unknown>).http_method).toBe('GET');
  });

  it('carry the transaction of their own exchange on a keep-alive connection', async () => {
    const rules = [
      'alert tcp any any -> any 80 (msg:"second request"; flow:to_server,established; content:"MARK-REQ"; sid:1;)',
      'alert tcp any 80 -> any any (msg:"second response"; flow:to_client,established; content:"MARK-RESP"; sid:2;)',
    ].join('\n');
    const s = httpConversation({
      exchanges: [
        { request: { uri: '/first' }, response: { status: 200, body: 'plain' } },
        { request: { uri: '/second?MARK-REQ' }, response: { status: 403, body: 'MARK-RESP' } },
      ],
    });
    expect((await scanPackets(rules, s.packets())).map(context)).toEqual([
      [1, 1, '/second?MARK-REQ', 403],
      [2, 1, '/second?MARK-REQ', 403],
    ]);
  });

  it('carry the oldest unanswered transaction when requests are pipelined', async () => {
    const rules = 'alert tcp any 80 -> any any (msg:"response"; flow:to_client,established; content:"MARK-RESP"; sid:1;)';
    const s = httpConversation({
      pipeline: true,
      exchanges: [
        { request: { uri: '/a' }, response: { status: 200, body: 'MARK-RESP one' } },
        { request: { uri: '/b' }, response: { status: 404, body: 'MARK-RESP two' } },
      ],
    });
    expect((await scanPackets(rules, s.packets())).map(context)).toEqual([
      [1, 0, '/a', 200],
      [1, 1, '/b', 404],
    ]);
  });

  it('carry a transaction at most four times, as Suricata (detect.stream-tx-log-limit)', async () => {
    const rules = [1, 2, 3, 4, 5].map((i) => `alert tcp any any -> any 80 (msg:"r${i}"; flow:to_server; content:"GET /x"; sid:${i};)`).join('\n');
    const s = httpConversation({ request: { uri: '/x' }, response: { status: 200, body: 'ok' } });
    const alerts = await scanPackets(rules, s.packets());
    expect(alerts.length).toBe(5);
    expect(alerts.filter((a) => a.http !== undefined && a.extra?.tx_id === 0).length).toBe(4);
  });

  it('leave stream alerts on other flows as they were', async () => {
    const rules = 'alert tcp any any -> any any (msg:"raw"; content:"HELLO-MARK"; sid:1;)';
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:4444', startUs: 1 }).handshake();
    s.send('client', 'HELLO-MARK\r\n').send('server', 'ok\r\n').close('client');
    const alerts = await scanPackets(rules, s.packets());
    expect(alerts.map((a) => [a.sid, a.http, a.extra?.tx_id])).toEqual([[1, undefined, undefined]]);
  });
});
