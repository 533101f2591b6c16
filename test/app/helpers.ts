import { AppLayer, type AppLayerConfig } from '../../src/app/app-layer.js';
import type { AppSink, HttpSide, HttpTxView, SmtpPhase, SmtpUnitView, TlsHelloView } from '../../src/types/app.js';
import { BUFFER_NAMES, type BufferName, type BufferSource } from '../../src/types/buffers.js';
import type { FlowView } from '../../src/types/flow.js';

export function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

export function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

export function makeFlow(id = 1, appProto: string | null = null): FlowView {
  return { id, toServer: true, established: true, midstream: false, appProto, bits: null };
}

export interface HttpEvent {
  flowId: number;
  tx: HttpTxView;
  phase: HttpSide;
  /** Buffers as they were when the phase was handed over (the view of that phase's side). */
  snapshot: Record<string, string>;
  anomalies: string[];
}

export interface SmtpEvent {
  flowId: number;
  unit: SmtpUnitView;
  phase: SmtpPhase;
  snapshot: Record<string, string>;
  anomalies: string[];
}

export function snapshotOf(src: BufferSource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of BUFFER_NAMES) {
    const b = src.buffer(name as BufferName);
    if (b !== undefined) out[name] = text(b)!;
  }
  return out;
}

export class Recorder implements AppSink {
  readonly http: HttpEvent[] = [];
  readonly smtp: SmtpEvent[] = [];
  httpTransaction(flow: FlowView, tx: HttpTxView, phase: HttpSide): void {
    this.http.push({ flowId: flow.id, tx, phase, snapshot: snapshotOf(tx), anomalies: [...tx.anomalies] });
  }
  smtpUnit(flow: FlowView, unit: SmtpUnitView, phase: SmtpPhase): void {
    this.smtp.push({ flowId: flow.id, unit, phase, snapshot: snapshotOf(unit), anomalies: [...unit.anomalies] });
  }
  readonly tls: TlsHelloView[] = [];
  tlsHello(_flow: FlowView, hello: TlsHelloView): void {
    this.tls.push(hello);
  }
  tlsHellos(): TlsHelloView[] {
    return this.tls;
  }
  requests(): HttpEvent[] {
    return this.http.filter((e) => e.phase === 'request');
  }
  responses(): HttpEvent[] {
    return this.http.filter((e) => e.phase === 'response');
  }
}

export type Segment = readonly [toServer: boolean, data: Uint8Array | string];

/** Runs a conversation through a fresh AppLayer, each segment delivered as one chunk, then ends the flow. */
export function run(segments: readonly Segment[], config: Partial<AppLayerConfig> = {}, flow = makeFlow()): { rec: Recorder; app: AppLayer; flow: FlowView } {
  const rec = new Recorder();
  const app = new AppLayer(rec, config);
  const offsets = [0, 0];
  for (const [toServer, data] of segments) {
    const b = typeof data === 'string' ? bytes(data) : data;
    const d = toServer ? 0 : 1;
    app.streamData(flow, toServer, b, offsets[d]!, false);
    offsets[d]! += b.length;
  }
  app.flowEnd(flow);
  return { rec, app, flow };
}

/** Splits each segment at the given cut points (fractions in [0,1)), delivering the pieces separately. */
export function splitSegments(segments: readonly Segment[], cuts: readonly (readonly number[])[]): Segment[] {
  const out: Segment[] = [];
  segments.forEach(([toServer, data], i) => {
    const b = typeof data === 'string' ? bytes(data) : data;
    const points = [...new Set((cuts[i] ?? []).map((f) => Math.floor(f * b.length)))].filter((p) => p > 0 && p < b.length).sort((x, y) => x - y);
    let prev = 0;
    for (const p of [...points, b.length]) {
      out.push([toServer, b.slice(prev, p)]);
      prev = p;
    }
  });
  return out;
}
