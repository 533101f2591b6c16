/** Timestamps as Suricata writes them in EVE (`2003-03-17T10:00:00.123456+0000`), always UTC so runs compare byte for byte. */
export function eveTimestamp(tsUs: number): string {
  const ms = Math.floor(tsUs / 1000);
  const d = new Date(ms);
  const micros = ((tsUs % 1_000_000) + 1_000_000) % 1_000_000;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(micros, 6)}+0000`
  );
}

/** Snort's alert_fast timestamp: `MM/DD/YY-HH:MM:SS.uuuuuu` (Snort's -y form, so replays of old captures keep their year). */
export function fastTimestamp(tsUs: number): string {
  const d = new Date(Math.floor(tsUs / 1000));
  const micros = ((tsUs % 1_000_000) + 1_000_000) % 1_000_000;
  return (
    `${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)}/${pad(d.getUTCFullYear() % 100, 2)}` +
    `-${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(micros, 6)}`
  );
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
