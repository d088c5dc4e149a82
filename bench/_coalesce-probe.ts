import { Terminal } from '../server/terminals/terminal.js';
const t = Terminal.start({ file: 'bash', args: ['-c', 'head -c 20000000 /dev/zero | base64 -w 76'], env: { PATH: process.env.PATH ?? '' }, cwd: '/tmp' });
let n = 0, bytes = 0;
const t0 = performance.now();
const att = t.attach({ attached: () => {}, output: (seq, data) => { n++; bytes += data.byteLength; att.ack(seq + data.byteLength); }, size: () => {}, exit: () => { const s = (performance.now() - t0) / 1000; console.log({ messages: n, avg: Math.round(bytes / n), MBps: (bytes / s / 1e6).toFixed(1) }); void t.dispose(); }, restarted: () => {} } as never, { size: { cols: 120, rows: 40 } });
