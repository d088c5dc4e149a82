// Firewall rules around each cluster's Docker network. Docker already keeps bridge networks apart
// (one attendee's toolbox cannot reach another's cluster), but a container may still open
// connections to the host itself (any service listening on the host's addresses) and to the
// cloud metadata service at 169.254.169.254, which hands out the machine's credentials on most
// clouds. The guard rejects both for everything on the network: toolbox and kind nodes alike.
//
// The rules are written from a short-lived container on the host's network namespace with
// NET_ADMIN (the node image has iptables and is always present), so the server needs no root of
// its own: whoever may run Docker may do this. Replies to connections the host opened (the API
// server behind its published port) are not NEW and pass.
import { createHash } from 'node:crypto';
import type { CommandRunner } from './command.js';

/** Marks our rules, so they can be found and removed. */
export const GUARD_COMMENT = 'kubelab-guard';

/** The Linux bridge of a cluster's network: named by us (15 characters at most) so rules can name it. */
export function bridgeName(cluster: string): string {
  return `kl${createHash('sha256').update(cluster).digest('hex').slice(0, 13)}`;
}

/** Rule specifications (chain first) for one bridge; `$FORWARD` is resolved by the script. */
export function guardRules(bridge: string): string[][] {
  const mark = ['-m', 'comment', '--comment', GUARD_COMMENT];
  return [
    ['$FORWARD', '-i', bridge, '-d', '169.254.0.0/16', ...mark, '-j', 'REJECT'],
    ['INPUT', '-i', bridge, '-m', 'conntrack', '--ctstate', 'NEW', ...mark, '-j', 'REJECT'],
  ];
}

/** Pure: the sh script that inserts (idempotently) or deletes (every copy of) the bridge's rules. */
export function guardScript(bridge: string, action: 'apply' | 'remove'): string {
  const lines = [
    'set -e',
    // Docker's DOCKER-USER chain runs before its own forwarding rules; without it, FORWARD itself.
    'FORWARD=DOCKER-USER; iptables -n -L DOCKER-USER >/dev/null 2>&1 || FORWARD=FORWARD',
  ];
  for (const [chain = '', ...spec] of guardRules(bridge)) {
    const rule = `${chain === '$FORWARD' ? '"$FORWARD"' : chain} ${spec.join(' ')}`;
    lines.push(action === 'apply' ? `iptables -C ${rule} 2>/dev/null || iptables -I ${rule}` : `while iptables -D ${rule} 2>/dev/null; do :; done`);
  }
  return lines.join('\n');
}

/** Runs the guard script in a throwaway container on the host network namespace. */
export async function runGuard(run: CommandRunner, docker: string, image: string, bridge: string, action: 'apply' | 'remove'): Promise<void> {
  const args = ['run', '--rm', '--network', 'host', '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--entrypoint', 'sh', image, '-c', guardScript(bridge, action)];
  const r = await run(docker, args);
  if (r.exitCode !== 0) {
    throw new Error(`could not ${action === 'apply' ? 'install' : 'remove'} the firewall rules of bridge ${bridge} (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
}
