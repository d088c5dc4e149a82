import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkSpecSchema, durationSchema } from '../../../server/checks/spec.js';

function parseCheck(yaml: string) {
  return checkSpecSchema.safeParse(parse(yaml));
}

function messages(yaml: string): string[] {
  const result = parseCheck(yaml);
  expect(result.success).toBe(false);
  return result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
}

describe('durationSchema', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['0s', 0],
  ])('reads %s as %d ms', (text, ms) => {
    expect(durationSchema.parse(text)).toBe(ms);
  });

  it.each(['5', '5 s', '1h', 'soon', ''])('rejects %j with an example of a duration', (text) => {
    const result = durationSchema.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('500ms, 5s or 2m');
  });
});

describe('checkSpecSchema accepts every kind as documented', () => {
  it.each([
    ['exists by name', 'kind: exists\nresource: { kind: Pod, name: web }'],
    ['exists by selector', 'kind: exists\nresource: { kind: Pod, labelSelector: app=web }'],
    ['absent', 'kind: absent\nresource: { kind: Namespace, name: old }'],
    ['field', "kind: field\nresource: { apiVersion: v1, kind: Pod, name: web, namespace: default }\npath: '{.status.phase}'\nequals: Running"],
    ['field with a range', "kind: field\nresource: { kind: Deployment, name: web }\npath: '{.spec.replicas}'\natLeast: 2\natMost: 5"],
    ['count with where', "kind: count\nresource: { kind: Pod, namespace: shop, labelSelector: app=web }\nwhere: { path: '{.status.phase}', equals: Running }\natLeast: 3"],
    ['condition', 'kind: condition\nresource: { kind: Deployment, name: web }\ntype: Available'],
    ['rollout', 'kind: rollout\nresource: { kind: StatefulSet, name: db, namespace: shop }'],
    ['can', 'kind: can\nas: { serviceAccount: shop/deployer }\nverb: list\nresource: { resource: pods, namespace: shop }\nexpect: allowed'],
    ['http through a service', 'kind: http\nservice: { name: web, port: 80 }\npath: /healthz\nexpect: { status: 200, bodyMatches: ok }'],
    ['http to a URL', 'kind: http\nurl: http://web.localtest.me/\nexpect: { bodyMatches: Welcome }'],
    ['script', 'kind: script\nrun: |\n  kubectl get pod web'],
    ['custom resource', 'kind: exists\nresource: { apiVersion: example.com/v1, kind: Widget, name: blue }'],
  ])('%s', (_name, body) => {
    const result = parseCheck(`id: a-check\ntitle: A check\n${body}`);
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.data?.id).toBe('a-check');
  });

  it('fills in defaults: timeout 5s, retryFor 0, condition status True, http status 200', () => {
    const condition = parseCheck('id: c\ntitle: C\nkind: condition\nresource: { kind: Deployment, name: web }\ntype: Available');
    expect(condition.data).toMatchObject({ timeout: 5000, retryFor: 0, status: 'True' });
    const http = parseCheck('id: h\ntitle: H\nkind: http\nservice: { name: web, port: 80 }');
    expect(http.data).toMatchObject({ expect: { status: 200 } });
  });

  it('turns durations into milliseconds and keeps conditional hints as checks', () => {
    const result = parseCheck(`
id: web-running
title: Pod web is Running
kind: field
timeout: 2s
retryFor: 20s
hint: Look at kubectl get pod web.
hints:
  - when: { kind: count, resource: { kind: Pod, labelSelector: app=web }, equals: 0 }
    text: No pod carries the label app=web yet.
resource: { kind: Pod, name: web }
path: '{.status.phase}'
equals: Running`);
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({ timeout: 2000, retryFor: 20_000, hints: [{ when: { kind: 'count', equals: 0, timeout: 5000 } }] });
  });
});

describe('checkSpecSchema rejects mistakes with a message that says what to do', () => {
  it.each([
    ['an unknown kind, suggesting the closest', 'id: a\ntitle: A\nkind: feild', "kind: unknown kind 'feild' (did you mean 'field'?)"],
    ['a missing kind', 'id: a\ntitle: A', 'kind: missing kind; use one of exists, absent'],
    ['a misspelt field', "id: a\ntitle: A\nkind: field\nresource: { kind: Pod, name: web }\npath: '{.status.phase}'\nequals: Running\nretryfor: 5s", "unknown field 'retryfor'; did you mean 'retryFor'?"],
    ['a misspelt resource field', 'id: a\ntitle: A\nkind: exists\nresource: { kind: Pod, nmae: web }', "resource: unknown field 'nmae'; did you mean 'name'?"],
    ['a field check without comparator', "id: a\ntitle: A\nkind: field\nresource: { kind: Pod, name: web }\npath: '{.status.phase}'", 'say what to expect: add one of equals, matches'],
    ['two comparators', "id: a\ntitle: A\nkind: field\nresource: { kind: Pod, name: web }\npath: '{.status.phase}'\nequals: Running\noneOf: [Running]", 'use one comparator'],
    ['an impossible range', "id: a\ntitle: A\nkind: count\nresource: { kind: Pod }\natLeast: 3\natMost: 1", 'nothing could pass'],
    ['a broken JSONPath', "id: a\ntitle: A\nkind: field\nresource: { kind: Pod, name: web }\npath: '{.status.phase'\nequals: Running", 'path: JSONPath {.status.phase: the opening { has no closing }'],
    ['a broken regex', "id: a\ntitle: A\nkind: field\nresource: { kind: Pod, name: web }\npath: '{.status.phase}'\nmatches: '(Run'", 'matches: not a valid regular expression'],
    ['a custom kind without apiVersion', 'id: a\ntitle: A\nkind: exists\nresource: { kind: Widget, name: blue }', 'resource.apiVersion: kubelab knows no apiVersion for kind Widget'],
    ['a resource with neither name nor selector', 'id: a\ntitle: A\nkind: exists\nresource: { kind: Pod }', 'name the object (name: web) or select objects'],
    ['a resource with name and selector', 'id: a\ntitle: A\nkind: exists\nresource: { kind: Pod, name: web, labelSelector: app=web }', 'resource.name: use name or a selector, not both'],
    ['an id with capitals', 'id: WebRunning\ntitle: A\nkind: script\nrun: "true"', 'id: ids are lower-case letters, digits and dashes'],
    ['a rollout of a Pod', 'id: a\ntitle: A\nkind: rollout\nresource: { kind: Pod, name: web }', 'resource.kind:'],
    ['a can check without a subject', 'id: a\ntitle: A\nkind: can\nas: {}\nverb: get\nresource: { resource: pods }\nexpect: allowed', 'as: say who: add user, groups or serviceAccount'],
    ['a malformed service account', 'id: a\ntitle: A\nkind: can\nas: { serviceAccount: deployer }\nverb: get\nresource: { resource: pods }\nexpect: allowed', 'write the service account as namespace/name'],
    ['http with both service and url', 'id: a\ntitle: A\nkind: http\nservice: { name: web, port: 80 }\nurl: http://x.test/', 'give either service (inside the cluster) or url'],
    ['http with path and url', 'id: a\ntitle: A\nkind: http\nurl: http://x.test/\npath: /a', 'path: path goes with service'],
    ['a timeout of zero', 'id: a\ntitle: A\nkind: script\nrun: "true"\ntimeout: 0s', 'timeout: timeout must be more than 0'],
    ['a retry window over 10 minutes', 'id: a\ntitle: A\nkind: script\nrun: "true"\nretryFor: 11m', 'retryFor: retryFor must be at most 10m'],
    ['an id inside a hint condition', "id: a\ntitle: A\nkind: script\nrun: 'true'\nhints: [{ when: { id: x, kind: script, run: 'true' }, text: t }]", "hints.0.when: unknown field 'id'"],
    ['retryFor inside a hint condition', "id: a\ntitle: A\nkind: script\nrun: 'true'\nhints: [{ when: { kind: script, run: 'true', retryFor: 5s }, text: t }]", "hints.0.when: unknown field 'retryFor'"],
  ])('%s', (_name, yaml, expected) => {
    expect(messages(yaml).join('\n')).toContain(expected);
  });
});
