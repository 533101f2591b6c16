/** The SOC's four event levels, lowest first (definitions in the quarterly report). */
export const LEVELS = ['Information', 'Warning', 'Critical', 'Emergency'] as const;
export type Level = (typeof LEVELS)[number];

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export function isLevel(text: string): text is Level {
  return (LEVELS as readonly string[]).includes(text);
}
