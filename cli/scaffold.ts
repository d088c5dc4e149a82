// `kubelab new lesson|scenario <slug>`: a starting point that already passes lint, so an author
// begins from a working lesson and changes it, instead of from a blank page and a list of errors.

/** File contents of a new lab, keyed by path relative to its folder. */
export type ScaffoldFiles = Record<string, string>;

function titleFromSlug(slug: string): string {
  const words = slug.split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const stepOne = (slug: string, points: string) => `---
title: Create the ConfigMap
checks:
  - id: configmap-exists
    title: ConfigMap ${slug} exists
    kind: exists
    resource: { kind: ConfigMap, name: ${slug} }
    hints:
      - when: { kind: absent, resource: { kind: ConfigMap, name: ${slug} } }
        text: There is no ConfigMap named ${slug} yet; run the command above and check its output.
solution: |
  kubectl create configmap ${slug} --from-literal=greeting=hello
${points}---

Say here what the attendee will do in this step, and why it matters.

\`\`\`bash run
kubectl create configmap ${slug} --from-literal=greeting=hello
\`\`\`

::: hint Nothing happened?
Run \`kubectl get configmaps\` to see what exists in the namespace.
:::
`;

/** The files of a new lesson (`type: 'lesson'`) or scenario with one checked step. */
export function scaffoldLab(type: 'lesson' | 'scenario', slug: string): ScaffoldFiles {
  const title = titleFromSlug(slug);
  const common = `title: ${title}
summary: Replace this with one or two sentences saying what the attendee will be able to do.
difficulty: beginner
minutes: 10
tags: [${slug}]
cluster: { workers: 0, ingress: false }
images: []
`;
  if (type === 'lesson') {
    return {
      'lesson.yaml': `# yaml-language-server: $schema=../../schema/lesson.schema.json\n${common}`,
      'steps/01-create-the-configmap.md': stepOne(slug, ''),
    };
  }
  return {
    'scenario.yaml': `# yaml-language-server: $schema=../../schema/scenario.schema.json\n${common}type: timed\ntimeLimitMinutes: 10\n`,
    'steps/01-create-the-configmap.md': stepOne(slug, 'points: 10\n'),
  };
}
