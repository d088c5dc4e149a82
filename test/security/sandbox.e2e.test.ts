// The attendee's sandbox, attacked from inside: a toolbox on the shared e2e cluster's network
// tries what a curious or hostile attendee would. Each refusal is paired with a control that
// shows the same request works where kubelab does not stand in the way, so no test passes merely
// because nothing was listening.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVersions } from '../../images/build/targets.js';
import { KindProvider } from '../../server/clusters/kind.js';
import { bridgeName } from '../../server/clusters/network-guard.js';
import { TOOLBOX_LIMITS, Toolbox } from '../../server/toolboxes/toolbox.js';

const cluster = process.env.KUBELAB_TEST_CLUSTER ?? '';
const suffix = Math.random().toString(36).slice(2, 7);
/** A network standing in for another attendee's cluster, with a web server on it. */
const otherNet = `kubelab-sbx-${suffix}`;
const otherWeb = `kubelab-sbx-${suffix}-web`;

async function docker(...args: string[]): Promise<string> {
  return (await execa('docker', args)).stdout.trim();
}

/** Runs bash in a toolbox; never throws, so refusals can be asserted. */
async function attempt(toolbox: Toolbox, script: string, timeoutMs = 30_000): Promise<{ exitCode: number; output: string }> {
  return toolbox.exec(script, { timeoutMs });
}

describe("the attendee's toolbox", () => {
  let attendee: Toolbox;
  let versions: Awaited<ReturnType<typeof readVersions>>;
  let hostServer: Server;
  let hostPort: number;
  let gateway: string;
  let otherWebIp: string;

  beforeAll(async () => {
    versions = await readVersions();
    const provider = await KindProvider.create();
    attendee = await Toolbox.start({ name: `kubelab-sbx-${suffix}-toolbox`, image: versions.toolbox.image, network: cluster, kubeconfig: await provider.kubeconfig(cluster, 'internal'), owner: 'e2e' });
    // A service on every address of the host, as sshd or a database would be.
    hostServer = createServer((_req, res) => res.end('host service\n'));
    await new Promise<void>((resolve) => hostServer.listen(0, '0.0.0.0', resolve));
    hostPort = (hostServer.address() as AddressInfo).port;
    gateway = await docker('network', 'inspect', cluster, '--format', '{{range .IPAM.Config}}{{.Gateway}}{{end}}');
    await docker('network', 'create', '--label', 'dev.kubelab.owner=e2e', otherNet);
    await docker('run', '-d', '--name', otherWeb, '--network', otherNet, '--label', 'dev.kubelab.owner=e2e', 'busybox:1.36', 'httpd', '-f', '-p', '80', '-h', '/etc');
    otherWebIp = await docker('inspect', otherWeb, '--format', `{{(index .NetworkSettings.Networks "${otherNet}").IPAddress}}`);
  }, 120_000);

  afterAll(async () => {
    await attendee?.dispose();
    hostServer?.close();
    await execa('docker', ['rm', '-f', otherWeb], { reject: false });
    await execa('docker', ['network', 'rm', otherNet], { reject: false });
  });

  it('runs as uid 1000 with no capabilities and no Docker socket', async () => {
    const r = await attempt(attendee, 'id -u; grep CapEff /proc/self/status; ls /var/run/docker.sock /run/docker.sock 2>&1; curl -s -m 3 --unix-socket /var/run/docker.sock http://docker/version; echo "curl=$?"');
    expect(r.output).toMatch(/^1000\n/);
    expect(r.output).toMatch(/CapEff:\s+0000000000000000/);
    expect(r.output).toMatch(/No such file or directory/);
    expect(r.output).toMatch(/curl=7/);
  });

  it('cannot open connections to the host, though a container on an unguarded network can', async () => {
    const control = await docker('run', '--rm', '--network', otherNet, 'busybox:1.36', 'sh', '-c', `wget -q -T 3 -O- http://$(ip route | awk '/default/ {print $3}'):${hostPort}/ || echo failed`);
    expect(control).toBe('host service');
    const r = await attempt(attendee, `curl -s -m 3 http://${gateway}:${hostPort}/; echo "curl=$?"`);
    expect(r.output).not.toContain('host service');
    expect(r.output).toMatch(/curl=(7|28)/);
  });

  it('cannot reach the cloud metadata address: the guard rule for its bridge is in place', async () => {
    const rules = await docker('run', '--rm', '--network', 'host', '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--entrypoint', 'iptables-save', versions.node.image);
    const bridge = bridgeName(cluster);
    expect(rules).toMatch(new RegExp(`-A DOCKER-USER -d 169\\.254\\.0\\.0/16 -i ${bridge} .*-j REJECT`));
    const r = await attempt(attendee, 'curl -s -m 3 http://169.254.169.254/latest/meta-data/; echo "curl=$?"');
    expect(r.output).toMatch(/curl=(7|28)$/);
  });

  it("cannot reach another attendee's network, which a container on that network reaches", async () => {
    const control = await docker('run', '--rm', '--network', otherNet, 'busybox:1.36', 'wget', '-q', '-T', '3', '-O-', `http://${otherWebIp}/hostname`);
    expect(control.length).toBeGreaterThan(0);
    const r = await attempt(attendee, `curl -s -m 3 http://${otherWebIp}/hostname; echo "curl=$?"`);
    expect(r.output).toMatch(/^curl=(7|28)$/);
  });

  it('keeps a memory hog inside its limit: the hog is killed, the toolbox lives on', async () => {
    const r = await attempt(attendee, 'head -c 2000m /dev/zero | tail > /dev/null; echo "status=${PIPESTATUS[1]}"', 120_000);
    expect(r.output).toMatch(/status=137/);
    expect(await docker('inspect', attendee.name, '--format', '{{.State.Running}} {{.HostConfig.Memory}}')).toBe(`true ${512 * 1024 * 1024}`);
    expect((await attempt(attendee, 'echo alive')).output).toBe('alive');
  });

  it('keeps a fork bomb inside its pids limit while another toolbox stays responsive, and recovers on restart', async () => {
    const neighbour = Toolbox.attach(process.env.KUBELAB_TEST_TOOLBOX ?? '');
    const bomb = execa('docker', ['exec', attendee.name, 'bash', '-c', 'bomb() { bomb | bomb & }; bomb; sleep 20'], { reject: false, timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 8000));
    const pids = Number(await docker('stats', '--no-stream', '--format', '{{.PIDs}}', attendee.name));
    expect(pids).toBeGreaterThan(50);
    expect(pids).toBeLessThanOrEqual(TOOLBOX_LIMITS.pidsLimit);
    const t0 = performance.now();
    expect((await neighbour.exec('kubectl get --raw /readyz', { timeoutMs: 20_000 })).output).toBe('ok');
    const neighbourMs = performance.now() - t0;
    expect(neighbourMs).toBeLessThan(15_000);
    await docker('restart', '-t', '1', attendee.name);
    await bomb;
    expect((await attempt(attendee, 'ps -e --no-headers | wc -l; kubectl get --raw /readyz')).output).toMatch(/^\s*\d+\nok$/);
  }, 120_000);
});
