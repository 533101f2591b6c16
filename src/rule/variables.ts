/**
 * Rule variables (`$HOME_NET`, `$HTTP_PORTS`, ...). Values are kept as written and expanded
 * where they are used, so a later `--var HOME_NET=...` also changes `$HTTP_SERVERS`.
 */

/** Whether a variable names addresses or ports; `var` lines in Snort 2 leave it open. */
export type VariableKind = 'ip' | 'port' | 'any';

interface Entry {
  value: string;
  kind: VariableKind;
}

/**
 * Suricata's default address and port groups (suricata.yaml), with HOME_NET and EXTERNAL_NET
 * both `any` so that a rule set loads and matches before anyone configures a network.
 * Covers every variable the ET Open and Snort community rule sets reference.
 */
const DEFAULT_IP_VARS: ReadonlyArray<readonly [string, string]> = [
  ['HOME_NET', 'any'],
  ['EXTERNAL_NET', 'any'],
  ['HTTP_SERVERS', '$HOME_NET'],
  ['SMTP_SERVERS', '$HOME_NET'],
  ['SQL_SERVERS', '$HOME_NET'],
  ['DNS_SERVERS', '$HOME_NET'],
  ['TELNET_SERVERS', '$HOME_NET'],
  ['AIM_SERVERS', '$EXTERNAL_NET'],
  ['DC_SERVERS', '$HOME_NET'],
  ['DNP3_SERVER', '$HOME_NET'],
  ['DNP3_CLIENT', '$HOME_NET'],
  ['MODBUS_CLIENT', '$HOME_NET'],
  ['MODBUS_SERVER', '$HOME_NET'],
  ['ENIP_CLIENT', '$HOME_NET'],
  ['ENIP_SERVER', '$HOME_NET'],
  ['SIP_SERVERS', '$HOME_NET'],
  ['SSH_SERVERS', '$HOME_NET'],
  ['FTP_SERVERS', '$HOME_NET'],
  ['SNMP_SERVERS', '$HOME_NET'],
];

const DEFAULT_PORT_VARS: ReadonlyArray<readonly [string, string]> = [
  ['HTTP_PORTS', '80'],
  ['SHELLCODE_PORTS', '!80'],
  ['ORACLE_PORTS', '1521'],
  ['SSH_PORTS', '22'],
  ['DNP3_PORTS', '20000'],
  ['MODBUS_PORTS', '502'],
  ['FILE_DATA_PORTS', '[$HTTP_PORTS,110,143]'],
  ['FTP_PORTS', '21'],
  ['GENEVE_PORTS', '6081'],
  ['VXLAN_PORTS', '4789'],
  ['TEREDO_PORTS', '3544'],
  ['SIP_PORTS', '[5060,5061,5600]'],
];

/** Variable names as Snort and Suricata accept them. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class VariableTable {
  private readonly entries = new Map<string, Entry>();
  /** Variables whose only definition had errors, with where it was (file:line). */
  private readonly invalid = new Map<string, string>();
  /** Bumped on every change, so callers may cache expansions keyed on it. */
  private changeCount = 0;
  /** `get` as a function value, shared by every rule that hands variables to keyword modules. */
  readonly lookup = (name: string): string | undefined => this.get(name);

  static withDefaults(): VariableTable {
    const t = new VariableTable();
    for (const [n, v] of DEFAULT_IP_VARS) t.set(n, v, 'ip');
    for (const [n, v] of DEFAULT_PORT_VARS) t.set(n, v, 'port');
    return t;
  }

  set(name: string, value: string, kind: VariableKind = 'any'): void {
    this.entries.set(name, { value: value.trim(), kind });
    this.invalid.delete(name);
    this.changeCount++;
  }

  /** A definition of `name` at `where` had errors, and none is in effect: uses say where to look. */
  markInvalid(name: string, where: string): void {
    if (this.entries.has(name)) return;
    this.invalid.set(name, where);
    this.changeCount++;
  }

  invalidAt(name: string): string | undefined {
    return this.invalid.get(name);
  }

  get(name: string): string | undefined {
    return this.entries.get(name)?.value;
  }

  kind(name: string): VariableKind | undefined {
    return this.entries.get(name)?.kind;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  get version(): number {
    return this.changeCount;
  }

  clone(): VariableTable {
    const t = new VariableTable();
    for (const [n, e] of this.entries) t.entries.set(n, { ...e });
    for (const [n, w] of this.invalid) t.invalid.set(n, w);
    t.changeCount = this.changeCount;
    return t;
  }
}
