import { describe, expect, it } from 'vitest';
import { JsonPathError, evaluateJsonPath, jsonPathText, parseJsonPath } from '../../../server/checks/json-path.js';
import { fixture } from './fake-cluster.js';

const pod = fixture('pod-web-running');
const list = { apiVersion: 'v1', kind: 'List', items: [fixture('pod-web-running'), fixture('pod-web-imagepullbackoff')] };

describe('evaluateJsonPath', () => {
  it.each([
    ['{.status.phase}', pod, ['Running']],
    ['.status.phase', pod, ['Running']],
    ['{$.status.phase}', pod, ['Running']],
    ['{.spec.containers[0].image}', pod, ['nginx:1.27']],
    ['{.spec.containers[-1].name}', pod, ['nginx']],
    ['{.metadata.labels.app}', pod, ['web']],
    ["{.metadata.labels['app.kubernetes.io/name']}", pod, ['web']],
    ['{.metadata.labels["pod-template-hash"]}', pod, ['7d4b9c8f6d']],
    ['{.status.conditions[?(@.type=="Ready")].status}', pod, ['True']],
    ["{.status.conditions[?(@.type == 'PodScheduled')].lastTransitionTime}", pod, ['2025-03-04T10:12:01Z']],
    ['{.status.conditions[?(@.status!="True")].type}', pod, []],
    ['{.spec.containers[0].ports[?(@.containerPort==80)].protocol}', pod, ['TCP']],
    ['{.spec.containers[0].ports[?(@.containerPort>=81)].protocol}', pod, []],
    ['{.spec.containers[?(@.resources.limits)].name}', pod, ['nginx']],
    ['{.items[*].metadata.name}', list, ['web-7d4b9c8f6d-x2kqp', 'web-broken']],
    ['{.items[*].status.containerStatuses[0].state.waiting.reason}', list, ['ImagePullBackOff']],
    ['{.items[0:1].status.phase}', list, ['Running']],
    ['{..image}', list, ['nginx:1.27', 'docker.io/library/nginx:1.27', 'nginx:1.277', 'nginx:1.277']],
    ['{.metadata.ownerReferences[*].kind}', pod, ['ReplicaSet']],
    ['{.spec.terminationGracePeriodSeconds}', pod, [30]],
    ['{.status.containerStatuses[0].ready}', pod, [true]],
    ['{.status.nominatedNodeName}', pod, []],
    ['{.spec.containers[3].image}', pod, []],
  ])('%s finds what kubectl would find', (path, data, expected) => {
    expect(evaluateJsonPath(path, data)).toEqual(expected);
  });

  it('returns objects and lists whole, and prints them as JSON the way kubectl does', () => {
    const values = evaluateJsonPath('{.spec.containers[0].resources.limits}', pod);
    expect(values).toEqual([{ memory: '128Mi' }]);
    expect(jsonPathText(values)).toBe('{"memory":"128Mi"}');
  });

  it('prints several values separated by spaces, like kubectl -o jsonpath', () => {
    expect(jsonPathText(evaluateJsonPath('{.items[*].status.phase}', list))).toBe('Running Pending');
  });

  it.each([
    ['{.status.phase', 'no closing }'],
    ['{}', 'the path is empty'],
    ['{.spec.containers[}', 'expected an index'],
    ['{.status.conditions[?(@.type=="Ready"].status}', 'expected )'],
    ["{.metadata.labels['app}", 'not closed'],
    ['{.status..}', 'expected a field name'],
    ['{.status phase}', "unexpected ' '"],
  ])('rejects %s and says what is wrong', (path, problem) => {
    expect(() => parseJsonPath(path)).toThrowError(JsonPathError);
    expect(() => parseJsonPath(path)).toThrowError(problem);
  });

  it('gives parse errors a code and an example of a correct path', () => {
    try {
      parseJsonPath('{.a[}');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(JsonPathError);
      expect((error as JsonPathError).code).toBe('invalid-jsonpath');
      expect((error as JsonPathError).message).toContain('write it like {.status.phase}');
    }
  });
});
