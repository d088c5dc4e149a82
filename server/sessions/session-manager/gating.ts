// Step order, pure: with gating on, a step opens only when every earlier step with checks has
// passed (a step without checks is reading and never blocks). Jumping ahead applies the earlier
// solutions, so it is a way past the gate and follows the same rule.

/** What gating needs to know about a lab and a visitor. */
export interface GateState {
  /** Number of steps in the lab. */
  steps: number;
  /** Step numbers (from 1) that have checks. */
  checkedSteps: ReadonlySet<number>;
  passedSteps: ReadonlySet<number>;
  gated: boolean;
}

/** Why a step cannot be opened, or undefined when it can. */
export function stepRefusal(target: number, state: GateState): { code: 'NO_SUCH_STEP' | 'STEP_LOCKED'; message: string } | undefined {
  if (!Number.isInteger(target) || target < 1 || target > state.steps) {
    return { code: 'NO_SUCH_STEP', message: `this lab has steps 1 to ${state.steps}; there is no step ${target}` };
  }
  if (!state.gated) return undefined;
  for (let step = 1; step < target; step++) {
    if (state.checkedSteps.has(step) && !state.passedSteps.has(step)) {
      return { code: 'STEP_LOCKED', message: `step ${target} opens once step ${step} passes its checks; press Check on step ${step} first` };
    }
  }
  return undefined;
}

/** The step to resume at: the one after the highest passed step (1 for a newcomer), within the lab. */
export function resumeStep(state: Pick<GateState, 'steps' | 'passedSteps'>): number {
  const highest = Math.max(0, ...state.passedSteps);
  return Math.max(1, Math.min(highest + 1, state.steps));
}
