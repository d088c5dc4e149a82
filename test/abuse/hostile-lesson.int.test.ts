// Abuse: a lesson written to attack attendees or the host, served by the real app. Markup that
// would run script (script tags, event-handler attributes, javascript:/data: links, markup in
// titles, code blocks and their attributes) is neutralised in the HTML the API serves, and that
// HTML, put into a page the way the lab page does it (innerHTML) in real Chromium, runs nothing.
// Paths out of the lesson (traversal, encoded traversal, symlinks) neither load nor get served.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLabApp, startFakeLabApp } from '../support/fake-lab-app.js';

const LESSON_YAML = (title: string) => `title: ${JSON.stringify(title)}
summary: ${JSON.stringify(`${title} <img src=x onerror=alert(1)>`)}
difficulty: beginner
minutes: 5
tags: [abuse]
cluster: { workers: 0, ingress: false }
`;

const HOSTILE_STEP = `---
title: "<script>alert('title')</script>"
---
Raw tags: <script>window.pwned = 'script'</script> and <img src=x onerror="window.pwned='img'"> and
<iframe src="javascript:window.pwned='iframe'"></iframe> <svg onload="window.pwned='svg'"></svg>

[plain js](javascript:window.pwned='link') [upper](JAVASCRIPT:window.pwned='upper')
[entity](&#106;avascript:window.pwned='entity') [tab](java\tscript:window.pwned='tab')
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [vb](vbscript:msgbox)
<a href="javascript:window.pwned='rawlink'">raw link</a>
[ok](https://kubernetes.io/docs/)

::: hint <img src=x onerror="window.pwned='hint'">
inside
:::

\`\`\`sh"><script>window.pwned&&alert(9)</script><b run
echo "\\"><script>window.pwned='cmd'</script><img src=x onerror=window.pwned='cmd2'>"
\`\`\`

![shown](images/ok.svg)
`;

/** An SVG image that would run script if it were served as a document with the page's origin. */
const SCRIPTED_SVG = `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect width="1" height="1"/></svg>`;

describe('abuse: a hostile lesson', () => {
  let root: string;
  let f: FakeLabApp;
  let browser: Browser | undefined;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'kubelab-hostile-'));
    const markup = path.join(root, 'lessons', 'hostile-markup');
    await mkdir(path.join(markup, 'steps'), { recursive: true });
    await mkdir(path.join(markup, 'images'));
    await writeFile(path.join(markup, 'lesson.yaml'), LESSON_YAML("<script>alert('lesson')</script>"));
    await writeFile(path.join(markup, 'steps', '01-attack.md'), HOSTILE_STEP);
    await writeFile(path.join(markup, 'images', 'ok.svg'), SCRIPTED_SVG);
    await writeFile(path.join(markup, 'images', 'fine.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    // Not referenced by the markdown, so the lesson loads; the asset route must still refuse them.
    await symlink('/etc/passwd', path.join(markup, 'images', 'passwd.png'));
    await symlink('/etc', path.join(markup, 'images', 'etc'));
    await symlink(path.resolve('package.json'), path.join(markup, 'images', 'package.png'));

    // Traversal and symlinks named in the lesson itself: the lesson is refused at load.
    const paths = path.join(root, 'lessons', 'hostile-paths');
    await mkdir(path.join(paths, 'steps'), { recursive: true });
    await writeFile(path.join(paths, 'lesson.yaml'), LESSON_YAML('paths'));
    await symlink('/etc/passwd', path.join(paths, 'evil.png'));
    await symlink('/etc/shadow', path.join(paths, 'steps', '02-linked.md'));
    await writeFile(path.join(paths, 'steps', '01-paths.md'), `---\ntitle: t\nsetup:\n  manifests: [../../../etc/passwd]\n---\n![a](../../package.json) ![b](%2e%2e/%2e%2e/package.json) ![c](evil.png) ![d](/etc/passwd) ![e](https://tracker.example/x.png)\n`);
    f = await startFakeLabApp({ lessonsRoot: root });
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('refuses, at load, a lesson whose files or images lead out of its folder; the rest of the catalog is served', async () => {
    const health = (await (await fetch(`${f.base}/healthz`)).json()) as { catalog: { labs: number; skipped: number } };
    expect(health.catalog).toEqual({ labs: 1, skipped: expect.any(Number) });
    expect(health.catalog.skipped).toBeGreaterThanOrEqual(5);
    expect((await fetch(`${f.base}/api/labs/hostile-paths`)).status).toBe(404);
    const catalog = (await (await fetch(`${f.base}/api/catalog`)).json()) as { lessons: { slug: string }[] };
    expect(catalog.lessons.map((l) => l.slug)).toEqual(['hostile-markup']);
  });

  it('serves step HTML with no script, no event handlers and no script URLs', async () => {
    const lab = (await (await fetch(`${f.base}/api/labs/hostile-markup`)).json()) as { title: string; steps: { title: string; html: string; runnableBlocks: { command: string; language: string }[] }[] };
    const html = lab.steps[0]!.html;
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(iframe|svg)/i);
    // No tag carries an on* attribute (text that merely mentions one is escaped, so it is not inside a tag).
    const tags = (html.match(/<[a-z][^>]*>/gi) ?? []).map((t) => t.replace(/"[^"]*"/g, '""'));
    expect(tags.filter((t) => /\son\w+\s*=/i.test(t))).toEqual([]);
    const hrefs = [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['https://kubernetes.io/docs/']);
    expect(html).toContain('&lt;script&gt;');
    // Data stays data: titles come back as text for the page to put in textContent, and the Run
    // command is exactly what the author wrote (the page types it into the attendee's own shell).
    expect(lab.title).toBe("<script>alert('lesson')</script>");
    expect(lab.steps[0]!.runnableBlocks[0]!.language).toBe('');
    expect(lab.steps[0]!.runnableBlocks[0]!.command).toContain('<script>');
  });

  it('runs nothing when the page puts that HTML into the lesson pane in Chromium', async () => {
    const lab = (await (await fetch(`${f.base}/api/labs/hostile-markup`)).json()) as { steps: { html: string }[] };
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${f.base}/healthz`); // the server's origin, so asset URLs resolve against it
    // In the page's context (plain JS: this project's typings have no DOM): the lab page's own
    // `innerHTML = step.html` (client/pages/lab/lesson-pane.ts).
    await page.evaluate(`document.body.innerHTML = '<div class="step-body"></div>'; document.querySelector('.step-body').innerHTML = ${JSON.stringify(lab.steps[0]!.html)};`);
    // Let images load (and fail), then fire what a curious attendee's mouse would on every element.
    await page.waitForLoadState('networkidle');
    const dom = await page.evaluate(`(() => {
      const all = [...document.querySelectorAll('.step-body *')];
      for (const el of all) for (const type of el.tagName === 'A' ? ['mouseover', 'focus'] : ['mouseover', 'focus', 'click']) el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true }));
      return {
        scripts: document.querySelectorAll('.step-body script, .step-body iframe, .step-body object, .step-body embed').length,
        handlers: all.flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => el.tagName + '.' + a.name)),
        links: [...document.querySelectorAll('.step-body a')].map((a) => a.protocol),
      };
    })()`);
    expect(dom).toEqual({ scripts: 0, handlers: [], links: ['https:'] });
    await page.waitForTimeout(200);
    expect(await page.evaluate('window.pwned ?? null')).toBeNull();
    expect(dialogs).toEqual([]);
    // The one image shown is the lesson's own SVG; served with a sandboxing CSP it runs nothing either.
    const srcs = await page.locator('.step-body img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { getAttribute(n: string): string | null }).getAttribute('src')));
    expect(srcs).toEqual(['/lessons/hostile-markup/assets/images/ok.svg']);
    await page.goto(`${f.base}/lessons/hostile-markup/assets/images/ok.svg`);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
  });

  it('serves lesson images with a sandboxing CSP, and never a file outside the lesson or a non-image', async () => {
    const svg = await fetch(`${f.base}/lessons/hostile-markup/assets/images/ok.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-security-policy')).toContain('sandbox');
    expect(svg.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${f.base}/lessons/hostile-markup/assets/images/fine.png`)).status).toBe(200);
    const attempts = [
      'images/passwd.png', // symlink to /etc/passwd
      'images/package.png', // symlink to a file of the server
      'images/etc/passwd', // through a symlinked folder
      'images/etc/hostname.png',
      '../hostile-paths/evil.png',
      '..%2f..%2f..%2fpackage.json',
      '%2e%2e/%2e%2e/%2e%2e/package.json',
      '%252e%252e/%252e%252e/package.json',
      'images/..%5c..%5c..%5cpackage.json',
      '..%5c..%5cpackage.png',
      'images/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd%00.png',
      'lesson.yaml',
      'steps/01-attack.md',
      '/etc/passwd',
      '%2fetc%2fpasswd',
    ];
    for (const file of attempts) {
      const res = await fetch(`${f.base}/lessons/hostile-markup/assets/${file}`);
      const body = await res.text();
      expect(res.status, file).toBeGreaterThanOrEqual(400);
      expect(body, file).not.toMatch(/root:|"name": "kubelab"|title:/);
    }
  });
});
