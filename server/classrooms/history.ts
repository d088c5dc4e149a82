// The timeline an instructor reads to see what preceded a failing Check: the attendee's shell
// commands, from ~/.bash_history in their toolbox (the toolbox bashrc appends after every command
// with PROMPT_COMMAND='history -a' and, with HISTTIMEFORMAT set, writes a "#<epoch seconds>" line
// before each command), merged in time order with their Check results and step changes.

/** One entry of the timeline. */
export type TimelineEntry =
  | { at: number; kind: 'command'; command: string }
  | { at: number; kind: 'check'; lab: string; step: number; passed: boolean; failed: string[] }
  | { at: number; kind: 'step'; lab: string; step: number };

/** The script that prints the history; empty output when there is none yet. */
export const READ_HISTORY_SCRIPT = 'cat ~/.bash_history 2>/dev/null | tail -n 2000';

/**
 * Pure: commands with their times from bash_history text. Commands without a timestamp line
 * (written before HISTTIMEFORMAT was set) take the time of the entry before them; a multi-line
 * command stays one entry.
 */
export function parseBashHistory(text: string): { at: number; command: string }[] {
  const entries: { at: number; command: string }[] = [];
  let at: number | undefined;
  let pendingTime = false;
  for (const line of text.split('\n')) {
    const stamp = /^#(\d{9,11})$/.exec(line);
    if (stamp) {
      at = Number(stamp[1]) * 1000;
      pendingTime = true;
      continue;
    }
    if (line === '') continue;
    const last = entries[entries.length - 1];
    if (!pendingTime && last && last.at === at) last.command += `\n${line}`;
    else entries.push({ at: at ?? 0, command: line });
    pendingTime = false;
  }
  return entries;
}

/** Pure: entries in time order; at equal times a command comes before the Check it led to. */
export function mergeTimeline(...parts: TimelineEntry[][]): TimelineEntry[] {
  const rank = { step: 0, command: 1, check: 2 } as const;
  return parts.flat().sort((a, b) => a.at - b.at || rank[a.kind] - rank[b.kind]);
}
