// Several browsers can show one terminal; the pty has one size. Policy: the smallest rows and the
// smallest columns among attached clients (as tmux does), so that no viewer sees lines wrapped by
// a wider screen. A phone shrinks everyone's terminal while it is attached; when it detaches the
// others get their size back. With no client attached the pty keeps its last size.

/** Rows and columns of a screen. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Pure: the pty size for these attached clients, or undefined to keep the current one. */
export function effectiveSize(clients: Iterable<TerminalSize>): TerminalSize | undefined {
  let result: TerminalSize | undefined;
  for (const s of clients) {
    result = result ? { cols: Math.min(result.cols, s.cols), rows: Math.min(result.rows, s.rows) } : { cols: s.cols, rows: s.rows };
  }
  return result;
}
