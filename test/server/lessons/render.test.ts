import { describe, expect, it } from 'vitest';
import { renderStep, resolveAssetPath } from '../../../server/lessons/render.js';
import { parseInfoString } from '../../../server/lessons/render/info-string.js';

const render = (markdown: string) => renderStep(markdown, { lessonSlug: 'pods' });

describe('parseInfoString', () => {
  it.each([
    ['bash run', { language: 'bash', attributes: { run: true } }],
    ['bash run terminal=2', { language: 'bash', attributes: { run: true, terminal: '2' } }],
    ['sh title="two words"', { language: 'sh', attributes: { title: 'two words' } }],
    ['', { language: '', attributes: {} }],
  ])('reads %j into a language and attributes', (info, expected) => {
    expect(parseInfoString(info)).toEqual(expected);
  });
});

describe('renderStep code blocks', () => {
  it('gives a run block a Run button carrying its command and lists it as runnable', () => {
    const result = render('Intro\n\n```bash run\nkubectl get pods\n```\n');
    expect(result.html).toContain('<button type="button" class="code-run" data-command="kubectl get pods" data-terminal="1" data-block="0">Run</button>');
    expect(result.runnableBlocks).toEqual([{ index: 0, command: 'kubectl get pods', language: 'bash', terminal: 1, line: 3 }]);
  });

  it('gives every block a Copy button but only run blocks a Run button', () => {
    const result = render('```yaml\nkind: Pod\n```\n\n```bash run\nkubectl apply -f pod.yaml\n```\n');
    expect(result.html.match(/class="code-copy"/g)).toHaveLength(2);
    expect(result.html.match(/class="code-run"/g)).toHaveLength(1);
    expect(result.html).toContain('data-command="kind: Pod"');
    expect(result.runnableBlocks.map((b) => b.command)).toEqual(['kubectl apply -f pod.yaml']);
  });

  it('sends a block to the terminal its terminal attribute names', () => {
    const result = render('```bash run terminal=2\nkubectl get pods -w\n```\n');
    expect(result.runnableBlocks[0]?.terminal).toBe(2);
    expect(result.html).toContain('data-terminal="2"');
  });

  it('reports an unknown attribute and an impossible terminal with their line', () => {
    const result = render('text\n\n```bash rn terminal=9\nls\n```\n');
    expect(result.problems).toEqual([
      { line: 3, message: "unknown code block attribute 'rn'; use run or terminal" },
      { line: 3, message: 'terminal=9 is not a terminal; use a number from 1 to 4' },
    ]);
  });

  it('escapes markup and quotes in commands so they cannot break out of the attribute', () => {
    const result = render('```bash run\necho "x" onclick="alert(1)" <script>alert(2)</script>\n```\n');
    expect(result.html).not.toContain('<script>');
    expect(result.html).not.toContain(' onclick="');
    expect(result.html).toContain('data-command="echo &quot;x&quot; onclick=&quot;alert(1)&quot; &lt;script&gt;alert(2)&lt;/script&gt;"');
    expect(result.runnableBlocks[0]?.command).toBe('echo "x" onclick="alert(1)" <script>alert(2)</script>');
  });

  it('drops a language name that could inject a class attribute', () => {
    const result = render('```a"onmouseover="x run\nls\n```\n');
    expect(result.html).toContain('<pre><code>ls');
    expect(result.html).not.toContain('onmouseover="x"');
  });
});

describe('renderStep sanitising', () => {
  it('escapes raw HTML in the text instead of passing it through', () => {
    const result = render('Hello <script>alert(1)</script> <img src=x onerror=alert(1)>\n');
    expect(result.html).toBe('<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>\n');
  });

  it('refuses javascript: links', () => {
    const result = render('[click](javascript:alert(1))\n');
    expect(result.html).not.toContain('href="javascript:');
  });

  it('opens links in a new tab without giving the new page a handle on the lesson', () => {
    const result = render('[docs](https://kubernetes.io/docs/) and [below](#below)\n');
    expect(result.html).toContain('<a href="https://kubernetes.io/docs/" target="_blank" rel="noopener noreferrer">docs</a>');
    expect(result.html).toContain('<a href="#below">below</a>');
  });
});

describe('renderStep containers', () => {
  it('folds a hint with its title into a details element, rendering the markdown inside', () => {
    const result = render('::: hint Stuck on the name?\nThe pod is called `web`.\n\n```bash run\nkubectl get pod web\n```\n:::\n');
    expect(result.html).toMatch(/^<details class="hint"><summary>Stuck on the name\?<\/summary>\n<p>The pod is called <code>web<\/code>.<\/p>\n<div class="code-block">.*<\/div>\n<\/details>\n$/s);
    expect(result.runnableBlocks).toHaveLength(1);
  });

  it('titles a solution "Solution" when the author gives no title', () => {
    expect(render('::: solution\nDo it.\n:::\n').html).toBe('<details class="solution"><summary>Solution</summary>\n<p>Do it.</p>\n</details>\n');
  });

  it.each(['note', 'tip', 'warning', 'danger'])('renders a %s as an admonition', (kind) => {
    const title = kind.charAt(0).toUpperCase() + kind.slice(1);
    expect(render(`::: ${kind}\nMind this.\n:::\n`).html).toBe(
      `<aside class="admonition ${kind}" role="note"><p class="admonition-title">${title}</p>\n<p>Mind this.</p>\n</aside>\n`,
    );
  });

  it('nests containers and ends a paragraph at a container line', () => {
    const html = render('Text before\n::: tip\nouter\n::: hint Inner\ninner\n:::\nafter inner\n:::\nAfter\n').html;
    expect(html).toBe(
      '<p>Text before</p>\n<aside class="admonition tip" role="note"><p class="admonition-title">Tip</p>\n<p>outer</p>\n' +
        '<details class="hint"><summary>Inner</summary>\n<p>inner</p>\n</details>\n<p>after inner</p>\n</aside>\n<p>After</p>\n',
    );
  });

  it('escapes markup in a container title', () => {
    expect(render('::: hint <b onclick="x">bold</b>\nx\n:::\n').html).toContain('<summary>&lt;b onclick=&quot;x&quot;&gt;bold&lt;/b&gt;</summary>');
  });

  it('reports an unknown or unclosed container with its line', () => {
    expect(render('a\n\n::: hnit\nx\n:::\n').problems).toEqual([{ line: 3, message: "unknown container '::: hnit'; use one of hint, solution, note, tip, warning, danger" }]);
    expect(render('::: note\nnever closed\n').problems).toEqual([{ line: 1, message: "'::: note' is never closed; end it with a line holding only ':::'" }]);
  });
});

describe('renderStep images', () => {
  it('serves a relative image from the lesson asset route and records it', () => {
    const result = render('![A pod](<images/pod diagram.png>)\n![B](./images/b.svg)\n');
    expect(result.html).toContain('<img src="/lessons/pods/assets/images/pod%20diagram.png" alt="A pod" loading="lazy">');
    expect(result.html).toContain('src="/lessons/pods/assets/images/b.svg"');
    expect(result.assets).toEqual([{ path: 'images/pod diagram.png', line: 1 }, { path: 'images/b.svg', line: 1 }]);
  });

  it.each([
    ['../other/secret.png', 'points outside the lesson folder'],
    ['images/../../x.png', 'points outside the lesson folder'],
    ['%2e%2e/x.png', 'points outside the lesson folder'],
    ['/etc/passwd', 'is not a relative path'],
    ['https://tracker.example/pixel.png', 'is remote'],
    ['//tracker.example/pixel.png', 'is remote'],
  ])('refuses %s and shows its alt text instead', (source, reason) => {
    const result = render(`text\n![the alt](${source})\n`);
    expect(result.html).not.toContain('<img');
    expect(result.html).toContain('[image not shown: the alt]');
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.line).toBe(1);
    expect(result.problems[0]?.message).toContain(reason);
    expect(result.assets).toEqual([]);
  });

  it('normalises a path that stays inside the lesson', () => {
    expect(resolveAssetPath('images/a/../b.png')).toEqual({ path: 'images/b.png' });
  });
});
