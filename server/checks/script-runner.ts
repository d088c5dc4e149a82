// Script checks and URL checks run in the attendee's toolbox, with the kubectl context they use.
// The engine sees only this interface; a Toolbox satisfies it as `{ run: (s, o) => toolbox.exec(s, o) }`.

/** The outcome of one bash snippet: its exit code and its output (stdout, then stderr). */
export interface ScriptOutcome {
  exitCode: number;
  output: string;
}

/** Runs bash in the attendee's toolbox, within a time limit, stoppable by a signal. */
export interface ScriptRunner {
  run(script: string, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<ScriptOutcome>;
}
