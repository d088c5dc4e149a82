// The slot where `kubelab test` gets a real cluster. Nothing is wired yet: the kind cluster plus
// toolbox implementation of LabEnvironment lives with server/sessions and plugs in here.
import type { Lab } from '../server/lessons/load.js';
import type { LabEnvironment } from '../server/lessons/prove.js';

/** A LabEnvironment that holds a cluster and must be torn down. */
export interface DisposableLabEnvironment extends LabEnvironment {
  dispose(): Promise<void>;
}

/** Creates a fresh environment fitting a lab's cluster spec (workers, ingress, images). */
export type LabEnvironmentFactory = (lab: Lab) => Promise<DisposableLabEnvironment>;

/** The factory the CLI uses; undefined until a real cluster environment is wired in. */
export const labEnvironmentFactory: LabEnvironmentFactory | undefined = undefined;
