/** Microseconds of 0000-01-01T00:00:00 and of the end of 9999 (UTC). */
const MIN_TS_US = -62_167_219_200_000_000;
const MAX_TS_US = 253_402_300_799_999_936; // the last double at or below 9999-12-31T23:59:59.999999

/**
 * A capture may carry any 64-bit time (a corrupt or hostile pcapng block): written times are
 * held to the years 0000-9999, so every output line keeps a timestamp its readers can parse.
 */
function writable(tsUs: number): number {
  if (!(tsUs >= MIN_TS_US)) return MIN_TS_US; // NaN too
  return tsUs > MAX_TS_US ? MAX_TS_US : tsUs;
}

/** Timestamps as Suricata writes them in EVE (`2003-03-17T10:00:00.123456+0000`), always UTC so runs compare byte for byte. */
export function eveTimestamp(time: number): string {
  const tsUs = writable(time);
  const ms = Math.floor(tsUs / 1000);
  const d = new Date(ms);
  const micros = ((tsUs % 1_000_000) + 1_000_000) % 1_000_000;
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(micros, 6)}+0000`
  );
}

/** Snort's alert_fast timestamp: `MM/DD/YY-HH:MM:SS.uuuuuu` (Snort's -y form, so replays of old captures keep their year). */
export function fastTimestamp(time: number): string {
  const tsUs = writable(time);
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
